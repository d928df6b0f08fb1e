// Evaluates IAM requests with @cloud-copilot/iam-simulate (offline, conditions included). Reads a JSON array of
// simulations (iam-simulate's Simulation shape) on stdin and writes one answer per simulation on stdout:
// { result: "Allowed" | "ExplicitlyDenied" | "ImplicitlyDenied" | "Error", errors? }. NODE_PATH names the node_modules
// folder test.sh installed it into.
'use strict';
const { runSimulation } = require('@cloud-copilot/iam-simulate');

async function main() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  const simulations = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  const answers = [];
  for (const simulation of simulations) {
    const response = await runSimulation(simulation, {});
    answers.push(response.resultType === 'error'
      ? { result: 'Error', errors: response.errors }
      : { result: response.overallResult });
  }
  process.stdout.write(JSON.stringify(answers));
}

main().catch(e => { process.stderr.write(String(e && e.stack || e)); process.exit(3); });
