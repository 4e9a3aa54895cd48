import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateApiKey } from '../../../src/server/auth/api-keys.js';
import { createCliTarget, type CliTarget } from '../../helpers/cli.js';
import { scriptCommand } from '../../helpers/script-command.js';

let target: CliTarget;
let serving: ChildProcess | undefined;

beforeAll(async () => {
  target = await createCliTarget('serve_command');
});
afterAll(async () => {
  serving?.kill('SIGKILL');
  await target?.dispose();
});

/** Starts `metaledger serve` and resolves with its URL once it says it is serving. */
async function serve(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ url: string; child: ChildProcess }> {
  const { command, args: commandArgs } = scriptCommand('src/cli/bin.ts', [...target.targetArgs, 'serve', '--json', ...args]);
  const child = spawn(command, commandArgs, {
    cwd: target.workDir,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  serving = child;
  let errors = '';
  child.stderr!.on('data', (chunk) => (errors += chunk));
  let json = '';
  for await (const line of createInterface({ input: child.stdout! })) {
    json += line;
    try {
      return { url: (JSON.parse(json) as { url: string }).url, child };
    } catch {
      // the JSON report spans several lines
    }
  }
  throw new Error(`serve exited before serving: ${errors}`);
}

describe('metaledger serve', () => {
  it('documents port, host, auth, limits and CORS in --help', async () => {
    const { stdout, code } = await target.cli(['serve', '--help']);
    expect(code).toBe(0);
    for (const option of [
      '--port',
      '--host',
      '--api-key',
      '--new-key',
      '--jwks-url',
      '--anonymous-reads',
      '--max-body',
      '--request-timeout',
      '--cors-origin',
    ])
      expect(stdout).toContain(option);
  });

  it('prints a new key and the config entry with its hash', async () => {
    const { stdout, code } = await target.cli(['serve', '--new-key', 'alice:admin', '--json']);
    expect(code).toBe(0);
    const { key, entry } = JSON.parse(stdout) as { key: string; entry: { hash: string; principal: string; roles: string[] } };
    expect(key).toMatch(/^mlk_[A-Za-z0-9_-]{43}$/);
    expect(entry).toMatchObject({ principal: 'alice', roles: ['admin'], hash: expect.stringMatching(/^sha256:[0-9a-f]{64}$/) });
  });

  it('takes its settings from the config file, the environment and flags, and stops on SIGTERM', async () => {
    const fromFile = generateApiKey();
    const fromEnv = generateApiKey();
    const fromFlag = generateApiKey();
    await writeFile(
      join(target.workDir, 'metaledger.config.json'),
      JSON.stringify({
        server: {
          maxBodyBytes: 2048,
          cors: { origins: ['https://studio.example.com'] },
          auth: { apiKeys: [{ hash: fromFile.hash, principal: 'filed' }] },
        },
      }),
    );
    const { url, child } = await serve(['--port', '0', '--api-key', `flagged:admin=${fromFlag.hash}`], {
      METALEDGER_API_KEYS: JSON.stringify([{ hash: fromEnv.hash, principal: 'envied', roles: ['admin'] }]),
    });
    expect(new URL(url).hostname).toBe('127.0.0.1');
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    const me = async (key: string) =>
      ((await (await fetch(`${url}/api/v1/me`, { headers: { authorization: `Bearer ${key}` } })).json()) as { id: string }).id;
    expect([await me(fromFile.key), await me(fromEnv.key), await me(fromFlag.key)]).toEqual(['filed', 'envied', 'flagged']);
    expect((await fetch(`${url}/api/v1/records/object/x`)).status).toBe(401);
    const tooBig = await fetch(`${url}/api/v1/records/object/big`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${fromFlag.key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ metadata: { blob: 'x'.repeat(3000) } }),
    });
    expect(tooBig.status).toBe(413);
    const preflight = await fetch(`${url}/api/v1/me`, {
      method: 'OPTIONS',
      headers: { origin: 'https://studio.example.com', 'access-control-request-method': 'GET' },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBe('https://studio.example.com');
    child.kill('SIGTERM');
    const [code] = await once(child, 'exit');
    expect(code).toBe(0);
  });

  it('refuses an invalid server section of the config file, naming the field', async () => {
    await writeFile(
      join(target.workDir, 'metaledger.config.json'),
      JSON.stringify({ server: { maxBodyBytes: -1, auth: { apiKeys: [{ hash: 'md5:x', principal: 'a' }] } } }),
    );
    const { code, stderr } = await target.cli(['serve', '--port', '0']);
    expect(code).toBe(3); // VALIDATION
    expect(stderr).toContain('maxBodyBytes');
    expect(stderr).toContain('auth.apiKeys.0.hash');
  });
});
