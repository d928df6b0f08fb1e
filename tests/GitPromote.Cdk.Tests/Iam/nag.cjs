// Runs cdk-nag's AwsSolutions checks over CloudFormation templates, the way a team's CDK app would see them: each
// template is brought in with CfnInclude. Accepted findings carry their reason in the resource's Metadata.cdk_nag
// (cdk-nag 2's format: rules_to_suppress [{ id, reason, applies_to? }], which cdk-nag 2 reads by itself); for cdk-nag 3
// this script turns each into the acknowledgement v3 takes. Usage: node nag.cjs OUTDIR TEMPLATE...
// Prints JSON { findings: [{ rule, path }], acknowledged: [{ rule, path, reason }] }.
'use strict';
const fs = require('fs');
const path = require('path');
const cdk = require('aws-cdk-lib');
const { CfnInclude } = require('aws-cdk-lib/cloudformation-include');
const { AwsSolutionsChecks } = require('cdk-nag');

const [outdir, ...templates] = process.argv.slice(2);
const app = new cdk.App({ outdir, analyticsReporting: false });
const acknowledged = [];
for (const file of templates) {
  const name = path.basename(file).replace(/\.template\.json$/, '');
  const stack = new cdk.Stack(app, name, { synthesizer: new cdk.LegacyStackSynthesizer() });
  const included = new CfnInclude(stack, 'Template', { templateFile: file });
  const resources = JSON.parse(fs.readFileSync(file, 'utf8')).Resources;
  for (const [id, resource] of Object.entries(resources)) {
    for (const rule of resource.Metadata?.cdk_nag?.rules_to_suppress ?? []) {
      for (const finding of rule.applies_to?.length ? rule.applies_to.map(a => `${rule.id}[${a}]`) : [rule.id]) {
        cdk.Validations.of(included.getResource(id)).acknowledge({ id: `AwsSolutions::${finding}`, reason: rule.reason });
        acknowledged.push({ rule: finding, path: `${name}/Template/${id}`, reason: rule.reason });
      }
    }
  }
}
cdk.Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
try { app.synth(); } catch { /* a failed validation throws after writing its report */ }

const report = JSON.parse(fs.readFileSync(path.join(outdir, 'validation-report.json'), 'utf8'));
const findings = [];
for (const plugin of report.pluginReports ?? []) {
  for (const violation of plugin.violations ?? []) {
    for (const construct of violation.violatingConstructs ?? []) findings.push({ rule: violation.ruleName, path: construct.constructPath });
  }
}
process.stdout.write(JSON.stringify({ findings, acknowledged }));
