import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { formatProblem, parseConfig } from '../../src/config/load.js';

/** The trial stack users start with `docker compose up` (no Docker engine here: its files are checked as data). */
const compose = parse(readFileSync(new URL('../../docker-compose.yml', import.meta.url), 'utf8')) as {
  services: Record<string, { environment?: Record<string, string>; volumes?: string[]; ports?: string[] }>;
};

describe('docker-compose.yml', () => {
  it('has the trial mail server deliver plus-addressed mail (agents\' reply addresses) to the support inbox', () => {
    const opts = compose.services.mail!.environment!.GREENMAIL_OPTS!.split(/\s+/);
    // GreenMail reads the flag as the string "true": a bare -Dgreenmail.sieve.ignore.detail leaves support+t…@ a mailbox of its own.
    expect(opts).toContain('-Dgreenmail.sieve.ignore.detail=true');
  });

  it('mounts a daemon config that is valid with the environment the compose file gives it', () => {
    const service = compose.services.helpdesk!;
    const mount = service.volumes!.find((v) => v.endsWith(':/config/helpdesk.yaml:ro'))!;
    const file = new URL(`../../${mount.split(':')[0]!.replace(/^\.\//, '')}`, import.meta.url);
    const result = parseConfig(readFileSync(file, 'utf8'), 'docker/helpdesk.yaml', service.environment!);
    if (!result.ok) throw new Error(result.problems.map(formatProblem).join('\n'));
    expect(result.config.mailboxes[0]!.imap.host).toBe('mail');
    expect(service.environment!.HELPDESK_CONFIG).toBe('/config/helpdesk.yaml');
    // The web view listens where the published port leads.
    expect(result.config.http).toMatchObject({ port: 8080, host: '0.0.0.0' });
    expect(service.ports).toContain('8080:8080');
  });
});
