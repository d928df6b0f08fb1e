// Runs cdk-nag's AwsSolutions checks over CloudFormation templates, the way a team's CDK app would see them: each
// template is brought in with CfnInclude. Accepted findings carry their reason in the resource's Metadata.cdk_nag
// (cdk-nag 2's format: rules_to_suppress [{ id, reason, applies_to?: [string | { regex }] }], which cdk-nag 2 reads by
// itself). cdk-nag 3 takes acknowledgements by exact finding id instead, so this script checks twice: the first pass
// lists every finding, the second acknowledges those the metadata accepts (with its reason) and lists what is left. The
// CDK's own "CloudFormation Validate" plugin reports too; its findings are accepted as CloudFormation-Validate::RULE.
// Usage: node nag.cjs OUTDIR TEMPLATE...
// Prints JSON { all: [{ rule, path }], findings: [{ rule, path }], acknowledged: [{ rule, path, reason }] }.
'use strict';
const fs = require('fs');
const path = require('path');
const cdk = require('aws-cdk-lib');
const { CfnInclude } = require('aws-cdk-lib/cloudformation-include');
const { AwsSolutionsChecks } = require('cdk-nag');

const [outdir, ...templates] = process.argv.slice(2);
const stackName = file => path.basename(file).replace(/\.template\.json$/, '');

function check(dir, acknowledgements) {
  const app = new cdk.App({ outdir: dir, analyticsReporting: false });
  for (const file of templates) {
    const stack = new cdk.Stack(app, stackName(file), { synthesizer: new cdk.LegacyStackSynthesizer() });
    const included = new CfnInclude(stack, 'Template', { templateFile: file });
    for (const a of acknowledgements.filter(a => a.stack === stackName(file))) {
      cdk.Validations.of(included.getResource(a.resource)).acknowledge({ id: a.id, reason: a.reason });
    }
  }
  cdk.Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  try { app.synth(); } catch { /* a failed validation throws after writing its report */ }
  const report = JSON.parse(fs.readFileSync(path.join(dir, 'validation-report.json'), 'utf8'));
  const findings = [];
  for (const plugin of report.pluginReports ?? []) {
    // AwsSolutions' own rules are acknowledged by their name; other plugins' (the CDK's "CloudFormation Validate") as NAMESPACE::RULE.
    const namespace = plugin.pluginName === 'AwsSolutions' ? 'AwsSolutions' : plugin.pluginName.replace(/ /g, '-');
    for (const violation of plugin.violations ?? []) {
      for (const construct of violation.violatingConstructs ?? []) {
        findings.push({ rule: violation.ruleName, namespace, path: construct.constructPath });
      }
    }
  }
  return findings;
}

function accepts(entry, finding) {
  if (!entry.applies_to?.length) return true;
  return entry.applies_to.some(a => {
    if (typeof a === 'string') return a === finding;
    const m = /^\/(.*)\/([a-z]*)$/s.exec(a.regex);
    return m ? new RegExp(m[1], m[2].replace('g', '')).test(finding) : false;
  });
}

const all = check(path.join(outdir, 'all'), []);
const metadata = Object.fromEntries(templates.map(f => [stackName(f), JSON.parse(fs.readFileSync(f, 'utf8')).Resources]));
const acknowledged = [];
for (const f of all) {
  const [stack, , resource] = f.path.split('/');
  const [, rule, finding] = /^([^[]+)(?:\[(.*)\])?$/s.exec(f.rule);
  const id = f.namespace === 'AwsSolutions' ? rule : `${f.namespace}::${rule}`;
  const entry = (metadata[stack]?.[resource]?.Metadata?.cdk_nag?.rules_to_suppress ?? [])
    .find(e => e.id === id && (finding === undefined ? !e.applies_to?.length : accepts(e, finding)));
  if (entry) acknowledged.push({ stack, resource, rule: f.rule, id: `${f.namespace}::${f.rule}`, path: f.path, reason: entry.reason });
}
const findings = check(path.join(outdir, 'left'), acknowledged);
process.stdout.write(JSON.stringify({ all, findings, acknowledged }));
