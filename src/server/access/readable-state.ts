import type { FastifyRequest } from 'fastify';
import type { ItemAt } from '../../history/get-at.js';
import type { ApiContext } from '../api.js';
import { authorize } from './authorize.js';

/** A past state is shown only if the principal may read the item as it was then. */
export async function authorizeState(context: ApiContext, request: FastifyRequest, state: ItemAt): Promise<void> {
  if (state.document) await authorize(context, request, 'read', { ...state.document, type: state.type, name: state.name });
}
