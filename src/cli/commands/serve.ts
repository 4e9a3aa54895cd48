import { once } from 'node:events';
import { generateApiKey } from '../../server/auth/api-keys.js';
import { createMetadataServer, listenMetadataServer } from '../../server/create-server.js';
import { apiKeysVariable, resolveServerConfig } from '../../server/resolve-server-config.js';
import type { ServerConfigInput } from '../../server/server-config.js';
import { parsePrincipal } from '../../service/principal.js';
import { createMetadataService } from '../../service/create-service.js';
import { integerOption, stringOption } from '../arguments.js';
import { UsageError, type Command, type CommandArgs } from '../command.js';

const details = `Serves the HTTP API under /api/v1 (described at /openapi.json), /healthz, /readyz and the web
audit console at /. Settings come from these flags, then the environment, then the "server" key of
metaledger.config.json (see docs/http.md).

  --port <n>                 port to listen on (default 7070; 0 picks a free one)
  --host <h>                 interface to listen on (default 127.0.0.1; 0.0.0.0 for every interface)
  --system-dir <dir>         system items from this directory of files instead of the database

authentication (no route that changes anything works without it):
  --new-key <id[:role,…]>    print a new API key for that principal and the config entry holding its hash, then exit
  --api-key <id[:role,…]=sha256:<hex>>
                             accept the key with this hash as that principal (repeatable); also
                             ${apiKeysVariable}='[{"hash":"sha256:…","principal":"alice","roles":["admin"]}]'
  --anonymous-reads          let requests without credentials read shared items (default: 401)
  --jwks-url <url>           accept JWTs signed by the keys published there
  --jwt-secret-env <NAME>    accept HS256/384/512 JWTs signed with the secret in that environment variable
  --jwt-issuer <iss>         --jwt-audience <aud>   required iss / aud claims
  --jwt-principal-claim <c>  claim naming the principal (default sub)
  --jwt-roles-claim <c>      claim holding the roles, a dotted path (default roles)

limits:
  --max-body <bytes>         largest request body (default 1048576); larger ones get 413
  --request-timeout <ms>     time for a request's headers and body to arrive (default 30000); then 408

browsers:
  --cors-origin <origin>     allow browser calls from this origin (repeatable; * for any)
  --cors-credentials         allow credentialed CORS requests
  --no-console               do not serve the web audit console`;

/** A flag given once or repeated. */
function listOption(args: CommandArgs, name: string): string[] {
  const value = args.values[name] as unknown;
  if (value === undefined) return [];
  return [value].flat().filter((item): item is string => typeof item === 'string');
}

function apiKeyOption(text: string) {
  const match = /^([^=]+)=(sha256:[0-9a-f]{64})$/.exec(text);
  if (!match) throw new UsageError(`--api-key must be id[:role,role]=sha256:<64 hex digits>, got '${text.slice(0, 80)}'`);
  const principal = parsePrincipal(match[1]);
  return { hash: match[2], principal: principal.id, roles: principal.roles };
}

/** What the flags say, as a partial server config (absent flags leave the other sources in charge). */
function flagSettings(args: CommandArgs): ServerConfigInput {
  const settings: ServerConfigInput = {};
  const set = <K extends keyof ServerConfigInput>(key: K, value: ServerConfigInput[K] | undefined) => {
    if (value !== undefined) settings[key] = value;
  };
  set('port', integerOption(args, 'port'));
  set('host', stringOption(args, 'host'));
  set('systemDir', stringOption(args, 'system-dir'));
  set('maxBodyBytes', integerOption(args, 'max-body', 1));
  set('requestTimeoutMs', integerOption(args, 'request-timeout', 100));
  if (args.values['no-console'] === true) settings.console = false;
  const auth: NonNullable<ServerConfigInput['auth']> = { apiKeys: listOption(args, 'api-key').map(apiKeyOption) };
  if (args.values['anonymous-reads'] === true) auth.anonymousReads = true;
  const jwksUrl = stringOption(args, 'jwks-url');
  const secretEnv = stringOption(args, 'jwt-secret-env');
  if (jwksUrl !== undefined || secretEnv !== undefined) {
    auth.jwt = {
      jwksUrl,
      secretEnv,
      issuer: stringOption(args, 'jwt-issuer'),
      audience: stringOption(args, 'jwt-audience'),
      principalClaim: stringOption(args, 'jwt-principal-claim'),
      rolesClaim: stringOption(args, 'jwt-roles-claim'),
    };
  }
  settings.auth = auth;
  const origins = listOption(args, 'cors-origin');
  if (origins.length > 0 || args.values['cors-credentials'] === true)
    settings.cors = {
      ...(origins.length > 0 ? { origins } : {}),
      ...(args.values['cors-credentials'] === true ? { credentials: true } : {}),
    };
  return settings;
}

export const serveCommand: Command = {
  name: 'serve',
  summary: 'serve the HTTP API, its OpenAPI document and the web audit console until interrupted',
  usage: '[--port n] [--host h] [--new-key id[:roles]] [--api-key id[:roles]=sha256:…] [--max-body bytes] [--cors-origin o] …',
  details,
  options: {
    port: { type: 'string' },
    host: { type: 'string' },
    'system-dir': { type: 'string' },
    'new-key': { type: 'string' },
    'api-key': { type: 'string', multiple: true },
    'anonymous-reads': { type: 'boolean' },
    'jwks-url': { type: 'string' },
    'jwt-secret-env': { type: 'string' },
    'jwt-issuer': { type: 'string' },
    'jwt-audience': { type: 'string' },
    'jwt-principal-claim': { type: 'string' },
    'jwt-roles-claim': { type: 'string' },
    'max-body': { type: 'string' },
    'request-timeout': { type: 'string' },
    'cors-origin': { type: 'string', multiple: true },
    'cors-credentials': { type: 'boolean' },
    'no-console': { type: 'boolean' },
  },
  async run(context, args) {
    const newKey = stringOption(args, 'new-key');
    if (newKey !== undefined) {
      const principal = parsePrincipal(newKey);
      const { key, hash } = generateApiKey();
      const entry = { hash, principal: principal.id, roles: principal.roles };
      context.report({ key, entry }, () =>
        [
          `API key for ${principal.id} (shown once; the server keeps only its hash):`,
          `  ${key}`,
          `start the server with it:`,
          `  metaledger serve --api-key ${newKey}=${hash}`,
          `or add this to "server.auth.apiKeys" in metaledger.config.json:`,
          `  ${JSON.stringify(entry)}`,
        ].join('\n'),
      );
      return;
    }
    const config = resolveServerConfig(context.target().settings.server, context.env, flagSettings(args));
    const store = await context.store();
    const service = createMetadataService({ store, systemDir: config.systemDir, source: 'http' });
    const server = await listenMetadataServer(
      createMetadataServer({
        service,
        store,
        auth: config.auth,
        cors: config.cors,
        maxBodyBytes: config.maxBodyBytes,
        requestTimeoutMs: config.requestTimeoutMs,
        console: config.console,
      }),
      config.port,
      config.host,
    );
    const keys = config.auth.apiKeys.length;
    context.report({ url: server.url, apiKeys: keys, jwt: config.auth.jwt !== undefined }, () =>
      [
        `serving ${server.url} (Ctrl-C to stop)`,
        `  console ${server.url}/   API ${server.url}/api/v1   OpenAPI ${server.url}/openapi.json`,
        keys === 0 && !config.auth.jwt
          ? '  no API keys or JWT configured: nothing can sign in (metaledger serve --new-key alice:admin)'
          : `  ${keys} API key(s)${config.auth.jwt ? ', JWT' : ''}`,
      ].join('\n'),
    );
    await Promise.race([once(process, 'SIGINT'), once(process, 'SIGTERM')]);
    await server.close();
  },
};
