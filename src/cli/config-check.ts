import { formatProblem, loadConfigFile } from '../config/load.js';
import { readEnvironment } from '../environment.js';

/** `helpdesk config check`: exit 0 with a summary, or 1 with every problem located. */
export async function runConfigCheck(opts: { config?: string }): Promise<void> {
  const env = readEnvironment(opts.config);
  const result = await loadConfigFile(env.configFile, env.env);
  if (!result.ok) {
    for (const problem of result.problems) console.error(formatProblem(problem));
    console.error(`${env.configFile}: ${result.problems.length} problem(s)`);
    process.exitCode = 1;
    return;
  }
  const c = result.config;
  console.log(`${env.configFile}: OK (${c.mailboxes.length} mailbox(es), ${c.agents.length} agent(s), ${c.rules.length} rule(s))`);
}
