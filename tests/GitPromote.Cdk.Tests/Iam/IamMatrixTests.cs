using System.Text.Json.Nodes;
using static GitPromote.Cdk.Tests.Iam.ExampleAccounts;

namespace GitPromote.Cdk.Tests.Iam;

/// <summary>The three example accounts as deployed (resolved templates), built from raw templates that a case may edit.</summary>
public sealed class DeployedSet(IReadOnlyDictionary<string, JsonObject> raw)
{
    private readonly Dictionary<string, ResolvedTemplate> _resolved = new();

    public ResolvedTemplate this[string environment] =>
        _resolved.TryGetValue(environment, out var t) ? t : _resolved[environment] = new ResolvedTemplate(raw[environment], Account(environment));

    /// <summary>The committed templates, and the GitHub variant of stg and prd ("stg+github"), fresh copies a case may edit.</summary>
    public static Dictionary<string, JsonObject> Committed() =>
        Environments.Concat(GitHubEnvironments.Select(e => e + GitHubSuffix)).ToDictionary(e => e, Raw);

    public static readonly IReadOnlyList<string> GitHubEnvironments = ["stg", "prd"];

    public TemplateRole Record(string env) => ServiceRoleOf(this[env], this[env].ProjectRunning("git promote record"));
    public TemplateRole Gate(string env) => Named(env, $"promote-{Service}-{env}-gate-build");
    public TemplateRole Prune(string env) => Named(env, $"promote-{Service}-{env}-prune-build");
    public TemplateRole PruneSchedule(string env) => Named(env, $"promote-{Service}-{env}-prune-schedule");
    public TemplateRole GateAction(string env) => Named(env, $"promote-{Service}-{env}-gate-action");
    public string PruneProject(string env) => this[env].Arn(this[env].ProjectRunning("git promote prune"));
    public string PipelineArn(string env) => this[env].Arn(this[env].OfType("AWS::CodePipeline::Pipeline").Single());

    /// <summary>The build guard: the SCP text the template outputs (BuildGuardScp), as deployed in this account.</summary>
    public NamedPolicy Scp(string env) => new("GitPromoteBuildGuard", JsonNode.Parse(ScpText(this[env]))!);

    public static string ScpText(ResolvedTemplate t) =>
        t.Outputs.Single(o => o.Key.Contains("BuildGuardScp", StringComparison.Ordinal)).Value!["Value"]!.GetValue<string>();
    public TemplateRole Reader(string env) => Named(env, $"promote-{Service}-{env}-evidence-reader");
    public TemplateRole RecordAction(string env) =>
        this[env].Role(this[env].OfType("AWS::IAM::Role").Single(id => id.StartsWith("PromotedRecordActionRole", StringComparison.Ordinal)));
    public TemplateRole Pipeline(string env) => PipelineRole(this[env]);
    public string RecordProject(string env) => this[env].Arn(this[env].ProjectRunning("git promote record"));
    public string GateProject(string env) => this[env].Arn(this[env].ProjectRunning("git promote gate"));
    public string DeveloperPolicyId(string env) =>
        this[env].OfType("AWS::IAM::ManagedPolicy").Single(p => this[env].Name(p).EndsWith("-developer", StringComparison.Ordinal));

    /// <summary>A developer's identity in the account, with the construct's developer policy attached.</summary>
    public (string Arn, IReadOnlyList<NamedPolicy> Policies) Developer(string env) =>
        ($"arn:aws:iam::{Account(env)}:role/developer", [this[env].ManagedPolicy(DeveloperPolicyId(env))]);

    private TemplateRole Named(string env, string name) => this[env].Roles().Single(r => r.Arn.EndsWith("/" + name, StringComparison.Ordinal));
}

/// <summary>
/// One allow/deny case of the IAM matrix: a request evaluated on the deployed set, what IAM must answer, and the edit of
/// the raw templates (a widening for a deny, a narrowing for an allow) under which the answer must flip.
/// </summary>
public sealed record IamCase(string Name, bool Allowed, Func<DeployedSet, Simulation> Request, Action<Dictionary<string, JsonObject>> Break)
{
    public override string ToString() => $"{(Allowed ? "ALLOW" : "DENY ")} {Name}";
}

/// <summary>
/// The least-privilege matrix of the construct, evaluated with @cloud-copilot/iam-simulate on the committed example
/// templates (dev, stg, prd in three accounts): what each role may and may not do, and who may assume it.
/// </summary>
public sealed class IamMatrixTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private static readonly IamSimulator Simulator = new();
    private const string Sha = "0123456789abcdef0123456789abcdef01234567";

    public static IReadOnlyList<IamCase> Cases { get; } = BuildCases();

    [Fact]
    public void The_matrix_has_at_least_forty_cases_with_distinct_names()
    {
        output.WriteLine($"{Cases.Count} cases: {Cases.Count(c => c.Allowed)} allow, {Cases.Count(c => !c.Allowed)} deny");
        Assert.True(Cases.Count >= 40, $"{Cases.Count} cases");
        Assert.Equal(Cases.Count, Cases.Select(c => c.Name).Distinct().Count());
    }

    [Fact]
    public void Every_case_holds_on_the_committed_templates()
    {
        var set = new DeployedSet(DeployedSet.Committed());
        var answers = Simulator.Run(Cases.Select(c => c.Request(set)).ToList());
        var wrong = Cases.Where((c, i) => answers[i].Allowed != c.Allowed).Select((c, _) => c.ToString()).ToList();
        Assert.True(wrong.Count == 0, $"{wrong.Count} of {Cases.Count} cases do not hold:\n  " + string.Join("\n  ", wrong));
    }

    [Fact]
    public void Every_case_fails_against_a_template_widened_or_narrowed_for_it()
    {
        var simulations = Cases.Select(c =>
        {
            var raw = DeployedSet.Committed();
            c.Break(raw);
            return c.Request(new DeployedSet(raw));
        }).ToList();
        var answers = Simulator.Run(simulations);
        var blind = Cases.Where((c, i) => answers[i].Allowed == c.Allowed).Select(c => c.ToString()).ToList();
        Assert.True(blind.Count == 0, $"{blind.Count} cases do not notice their template being changed:\n  " + string.Join("\n  ", blind));
    }

    private static List<IamCase> BuildCases()
    {
        var cases = new List<IamCase>();
        void Allow(string name, Func<DeployedSet, Simulation> request, Action<Dictionary<string, JsonObject>> narrow) =>
            cases.Add(new(name, true, request, narrow));
        void Deny(string name, Func<DeployedSet, Simulation> request, Action<Dictionary<string, JsonObject>> widen) =>
            cases.Add(new(name, false, request, widen));
        string Next(string env) => Environments[Environments.ToList().IndexOf(env) + 1];
        string Previous(string env) => Environments[Environments.ToList().IndexOf(env) - 1];
        var set = new DeployedSet(DeployedSet.Committed());

        foreach (var env in Environments)
        {
            var record = set.Record(env).Id;
            // Record: writes only its own green/*.
            Allow($"{env} record writes green/<sha>", s => Call(s.Record(env), "ssm:PutParameter", Evidence(env, "green", Sha)),
                raw => TemplateEdits.RemoveStatements(raw[env], record, "ssm:PutParameter"));
            // ...and the deployment events of history (record writes one on every successful run).
            Allow($"{env} record writes a deployment event", s =>
                Call(s.Record(env), "ssm:PutParameter", Evidence(env, "deploy", $"20260101T000000.000Z-{Sha}-ab12")),
                raw => TemplateEdits.RemoveStatements(raw[env], record, "ssm:PutParameter"));
            // A deployment event is written once (Overwrite=false): the record role cannot replace one with another text.
            Deny($"{env} record overwrites a deployment event", s =>
                CallWith(s.Record(env), "ssm:PutParameter", Evidence(env, "deploy", $"20260101T000000.000Z-{Sha}-ab12"), Overwrite(true)),
                raw => TemplateEdits.RemoveStatementSid(raw[env], record, "NeverRewriteRecords"));
            Allow($"{env} record writes a deployment event as git-promote does (Overwrite false)", s =>
                CallWith(s.Record(env), "ssm:PutParameter", Evidence(env, "deploy", $"20260101T000000.000Z-{Sha}-ab12"), Overwrite(false)),
                raw => TemplateEdits.RemoveStatements(raw[env], record, "ssm:PutParameter"));
            // Green is written again when a commit is deployed again: record puts it with Overwrite=true.
            Allow($"{env} record writes green again (Overwrite true)", s =>
                CallWith(s.Record(env), "ssm:PutParameter", Evidence(env, "green", Sha), Overwrite(true)),
                raw => TemplateEdits.RemoveStatements(raw[env], record, "ssm:PutParameter"));
            Allow($"{env} record reads the deployment events before it", s =>
                Call(s.Record(env), "ssm:GetParametersByPath", Parameter(env, $"promote/{Service}/{env}/deploy")),
                raw => TemplateEdits.RemoveStatements(raw[env], record, "ssm:GetParametersByPath"));
            foreach (var folder in new[] { "bypass", "approval", "revoked" })
                Deny($"{env} record writes {folder}/*", s => Call(s.Record(env), "ssm:PutParameter", Evidence(env, folder, $"20260101T000000Z-{Sha}")),
                    raw => TemplateEdits.AllowOnRole(raw[env], record, "ssm:PutParameter"));
            Deny($"{env} record writes the pinned policy", s => Call(s.Record(env), "ssm:PutParameter", PolicyParameter(env)),
                raw => TemplateEdits.AllowOnRole(raw[env], record, "ssm:PutParameter"));
            Deny($"{env} record writes another service's green", s =>
                Call(s.Record(env), "ssm:PutParameter", Parameter(env, $"promote/payments/{env}/green/{Sha}")),
                raw => TemplateEdits.AllowOnRole(raw[env], record, "ssm:PutParameter"));
            Allow($"{env} record reads the pinned policy", s => Call(s.Record(env), "ssm:GetParameter", PolicyParameter(env)),
                raw => TemplateEdits.RemoveStatements(raw[env], record, "ssm:GetParameter"));

            // Developer policy: writes only bypass/* and approval/*; cannot start or become the builds.
            var developer = set.DeveloperPolicyId(env);
            Allow($"{env} developer records a bypass", s => Dev(s, env, "ssm:PutParameter", Evidence(env, "bypass", $"20260101T000000Z-{Sha}-ab12")),
                raw => TemplateEdits.RemoveStatements(raw[env], developer, "ssm:PutParameter"));
            // A bypass and an approval are written once, in their author's name; nobody with the developer policy can rewrite them.
            Deny($"{env} developer overwrites a bypass record", s =>
                Dev(s, env, "ssm:PutParameter", Evidence(env, "bypass", $"20260101T000000Z-{Sha}-ab12"), Overwrite(true)),
                raw => TemplateEdits.RemoveStatementSid(raw[env], developer, "NeverRewriteRecords"));
            Deny($"{env} developer overwrites someone's approval", s =>
                Dev(s, env, "ssm:PutParameter", Evidence(env, "approval", $"{Sha}/ada_example.com-0123456789ab"), Overwrite(true)),
                raw => TemplateEdits.RemoveStatementSid(raw[env], developer, "NeverRewriteRecords"));
            Allow($"{env} developer asks SSM who wrote an approval (GetParameterHistory)", s =>
                Dev(s, env, "ssm:GetParameterHistory", Evidence(env, "approval", $"{Sha}/ada_example.com-0123456789ab")),
                raw => TemplateEdits.RemoveStatements(raw[env], developer, "ssm:GetParameterHistory"));
            foreach (var folder in new[] { "bypass", "revoked", "revoked-lifted", "deploy" })
                Allow($"{env} developer's audit reads the history of a {folder} record", s =>
                    Dev(s, env, "ssm:GetParameterHistory", Evidence(env, folder, $"20260101T000000Z-{Sha}-ab12")),
                    raw => TemplateEdits.RemoveStatements(raw[env], developer, "ssm:GetParameterHistory"));
            Deny($"{env} developer reads the history of the pinned policy", s => Dev(s, env, "ssm:GetParameterHistory", PolicyParameter(env)),
                raw => TemplateEdits.AllowOnManagedPolicy(raw[env], developer, "ssm:GetParameterHistory"));
            Allow($"{env} developer records a bypass as git-promote does (Overwrite false)", s =>
                Dev(s, env, "ssm:PutParameter", Evidence(env, "bypass", $"20260101T000000Z-{Sha}-ab12"), Overwrite(false)),
                raw => TemplateEdits.RemoveStatements(raw[env], developer, "ssm:PutParameter"));
            Allow($"{env} developer approves as git-promote does (Overwrite false)", s =>
                Dev(s, env, "ssm:PutParameter", Evidence(env, "approval", $"{Sha}/ada"), Overwrite(false)),
                raw => TemplateEdits.RemoveStatements(raw[env], developer, "ssm:PutParameter"));
            Allow($"{env} developer records an approval", s => Dev(s, env, "ssm:PutParameter", Evidence(env, "approval", $"{Sha}/ada")),
                raw => TemplateEdits.RemoveStatements(raw[env], developer, "ssm:PutParameter"));
            Allow($"{env} developer reads green", s => Dev(s, env, "ssm:GetParameters", Evidence(env, "green", Sha)),
                raw => TemplateEdits.RemoveStatements(raw[env], developer, "ssm:GetParameters"));
            Deny($"{env} developer writes green", s => Dev(s, env, "ssm:PutParameter", Evidence(env, "green", Sha)),
                raw => TemplateEdits.AllowOnManagedPolicy(raw[env], developer, "ssm:PutParameter"));
            Deny($"{env} developer writes a deployment event", s =>
                Dev(s, env, "ssm:PutParameter", Evidence(env, "deploy", $"20260101T000000.000Z-{Sha}-ab12")),
                raw => TemplateEdits.AllowOnManagedPolicy(raw[env], developer, "ssm:PutParameter"));
            Allow($"{env} developer reads the deployment events (history)", s =>
                Dev(s, env, "ssm:GetParametersByPath", Parameter(env, $"promote/{Service}/{env}/deploy")),
                raw => TemplateEdits.RemoveStatements(raw[env], developer, "ssm:GetParametersByPath"));
            Allow($"{env} developer lists the whole evidence root in one call (history)", s =>
                Dev(s, env, "ssm:GetParametersByPath", Parameter(env, $"promote/{Service}/{env}")),
                raw => TemplateEdits.RemoveStatements(raw[env], developer, "ssm:GetParametersByPath"));
            Deny($"{env} developer lists another service's evidence root", s =>
                Dev(s, env, "ssm:GetParametersByPath", Parameter(env, $"promote/payments/{env}")),
                raw => TemplateEdits.AllowOnManagedPolicy(raw[env], developer, "ssm:GetParametersByPath"));
            Deny($"{env} developer writes revoked", s => Dev(s, env, "ssm:PutParameter", Evidence(env, "revoked", Sha)),
                raw => TemplateEdits.AllowOnManagedPolicy(raw[env], developer, "ssm:PutParameter"));
            Deny($"{env} developer writes the pinned policy", s => Dev(s, env, "ssm:PutParameter", PolicyParameter(env)),
                raw => TemplateEdits.AllowOnManagedPolicy(raw[env], developer, "ssm:PutParameter"));
            Deny($"{env} developer starts the record build", s => Dev(s, env, "codebuild:StartBuild", s.RecordProject(env)),
                raw => TemplateEdits.AllowOnManagedPolicy(raw[env], developer, "codebuild:StartBuild"));
            Deny($"{env} developer assumes the record action role", s =>
                {
                    var (arn, policies) = s.Developer(env);
                    return Assume(arn, [.. policies, AssumeAnything], s.RecordAction(env));
                },
                raw => TemplateEdits.TrustAccountRoot(raw[env], set.RecordAction(env).Id, Account(env)));
            Deny($"{env} developer assumes the record role", s =>
                {
                    var (arn, policies) = s.Developer(env);
                    return Assume(arn, [.. policies, AssumeAnything], s.Record(env));
                },
                raw => TemplateEdits.TrustAccountRoot(raw[env], record, Account(env)));

            // Anyone in the account: cannot become the record action role or the record role; the pipeline can.
            Deny($"{env} anyone in the account assumes the record action role", s => Assume(AnyRole(env), [AssumeAnything], s.RecordAction(env)),
                raw => TemplateEdits.TrustAccountRoot(raw[env], set.RecordAction(env).Id, Account(env)));
            Deny($"{env} anyone in the account assumes the record role", s => Assume(AnyRole(env), [AssumeAnything], s.Record(env)),
                raw => TemplateEdits.TrustAccountRoot(raw[env], record, Account(env)));
            Allow($"{env} the pipeline assumes the record action role", s => Assume(s.Pipeline(env).Arn, s.Pipeline(env).Policies, s.RecordAction(env)),
                raw => TemplateEdits.TrustPrincipal(raw[env], set.RecordAction(env).Id, $"arn:aws:iam::{Account(env)}:role/someone-else"));
            Allow($"{env} the record action role starts the record build", s => Call(s.RecordAction(env), "codebuild:StartBuild", s.RecordProject(env)),
                raw => TemplateEdits.RemoveStatements(raw[env], set.RecordAction(env).Id, "codebuild:StartBuild"));

            // Health: cloudwatch:DescribeAlarms on this account's alarms, only where the environment has health, and nothing else of CloudWatch.
            var hasHealth = GitPromote.Examples.Cdk.ExampleApp.HealthAlarms.ContainsKey(env);
            Deny($"{env} record reads alarms", s => Call(s.Record(env), "cloudwatch:DescribeAlarms", Alarm(env)),
                raw => TemplateEdits.AllowOnRole(raw[env], record, "cloudwatch:DescribeAlarms"));
            if (hasHealth)
            {
                Allow($"{env} developer reads its alarms", s => Dev(s, env, "cloudwatch:DescribeAlarms", Alarm(env)),
                    raw => TemplateEdits.RemoveStatements(raw[env], developer, "cloudwatch:DescribeAlarms"));
                // Another account's alarms are out of reach whatever this account allows (no resource policy there): the edge to pin is the region.
                Deny($"{env} developer reads alarms in another region", s => Dev(s, env, "cloudwatch:DescribeAlarms", Alarm(env, region: "us-east-1")),
                    raw => TemplateEdits.AllowOnManagedPolicy(raw[env], developer, "cloudwatch:DescribeAlarms"));
                Deny($"{env} developer sets an alarm's state", s => Dev(s, env, "cloudwatch:SetAlarmState", Alarm(env)),
                    raw => TemplateEdits.AllowOnManagedPolicy(raw[env], developer, "cloudwatch:SetAlarmState"));
                var pipelineRole = set.Pipeline(env).Id;
                Allow($"{env} pipeline role reads alarms for the deploy stage's entry condition", s =>
                    Call(s.Pipeline(env), "cloudwatch:DescribeAlarms", Alarm(env)),
                    raw => TemplateEdits.RemoveStatements(raw[env], pipelineRole, "cloudwatch:DescribeAlarms"));
            }
            else
            {
                Deny($"{env} developer reads alarms ({env} has no health)", s => Dev(s, env, "cloudwatch:DescribeAlarms", Alarm(env)),
                    raw => TemplateEdits.AllowOnManagedPolicy(raw[env], developer, "cloudwatch:DescribeAlarms"));
            }

            // The pinned policy parameter: writable by no role of the template.
            foreach (var role in set[env].Roles())
                Deny($"{env} {role.Id} writes the pinned policy", s => Call(s[env].Role(role.Id), "ssm:PutParameter", PolicyParameter(env)),
                    raw => TemplateEdits.AllowOnRole(raw[env], role.Id, "ssm:PutParameter"));

            if (env != Environments[0])
            {
                var previous = Previous(env);
                var gate = set.Gate(env).Id;
                // Gate: writes nothing; reads its own records and the pinned policy; assumes only the previous reader.
                Deny($"{env} gate writes green", s => Call(s.Gate(env), "ssm:PutParameter", Evidence(env, "green", Sha)),
                    raw => TemplateEdits.AllowOnRole(raw[env], gate, "ssm:PutParameter"));
                Deny($"{env} gate writes a deployment event", s =>
                    Call(s.Gate(env), "ssm:PutParameter", Evidence(env, "deploy", $"20260101T000000.000Z-{Sha}-ab12")),
                    raw => TemplateEdits.AllowOnRole(raw[env], gate, "ssm:PutParameter"));
                Deny($"{env} gate writes a bypass", s => Call(s.Gate(env), "ssm:PutParameter", Evidence(env, "bypass", Sha)),
                    raw => TemplateEdits.AllowOnRole(raw[env], gate, "ssm:PutParameter"));
                Allow($"{env} gate reads its approvals", s => Call(s.Gate(env), "ssm:GetParametersByPath", Evidence(env, "approval", Sha)),
                    raw => TemplateEdits.RemoveStatements(raw[env], gate, "ssm:GetParametersByPath"));
                Allow($"{env} gate asks SSM who wrote an approval (GetParameterHistory)", s =>
                        Call(s.Gate(env), "ssm:GetParameterHistory", Evidence(env, "approval", $"{Sha}/ada_example.com-0123456789ab")),
                    raw => TemplateEdits.RemoveStatements(raw[env], gate, "ssm:GetParameterHistory"));
                Deny($"{env} gate reads the history of the pinned policy", s => Call(s.Gate(env), "ssm:GetParameterHistory", PolicyParameter(env)),
                    raw => TemplateEdits.AllowOnRole(raw[env], gate, "ssm:GetParameterHistory"));
                Allow($"{env} gate reads the pinned policy", s => Call(s.Gate(env), "ssm:GetParameter", PolicyParameter(env)),
                    raw => TemplateEdits.RemoveStatements(raw[env], gate, "ssm:GetParameter"));
                Allow($"{env} gate assumes {previous}'s reader", s => Assume(s.Gate(env).Arn, s.Gate(env).Policies, s.Reader(previous)),
                    raw => TemplateEdits.RemoveStatements(raw[env], gate, "sts:AssumeRole"));
                Deny($"{env} gate assumes another role of {previous}'s account", s =>
                        new Simulation(new IamRequest(s.Gate(env).Arn, "sts:AssumeRole", AnyRole(previous, "OrganizationAccountAccessRole")),
                            s.Gate(env).Policies,
                            TrustingAccount(Account(env))),
                    raw => TemplateEdits.AllowOnRole(raw[env], gate, "sts:AssumeRole"));
                Deny($"{env} gate reads alarms with its own role", s => Call(s.Gate(env), "cloudwatch:DescribeAlarms", Alarm(env)),
                    raw => TemplateEdits.AllowOnRole(raw[env], gate, "cloudwatch:DescribeAlarms"));
                Deny($"{env} gate starts the record build", s => Call(s.Gate(env), "codebuild:StartBuild", s.RecordProject(env)),
                    raw => TemplateEdits.AllowOnRole(raw[env], gate, "codebuild:StartBuild"));
                Deny($"{env} anyone in the account assumes the gate role", s => Assume(AnyRole(env), [AssumeAnything], s.Gate(env)),
                    raw => TemplateEdits.TrustAccountRoot(raw[env], gate, Account(env)));
            }

            if (env != Environments[^1])
            {
                var next = Next(env);
                var reader = set.Reader(env).Id;
                // Reader: assumable only by the next environment's gate; reads only green and revoked.
                Allow($"{env} reader is assumed by {next}'s gate", s => Assume(s.Gate(next).Arn, s.Gate(next).Policies, s.Reader(env)),
                    raw => TemplateEdits.TrustPrincipal(raw[env], reader, $"arn:aws:iam::{Account(next)}:role/someone-else"));
                Deny($"{env} reader is assumed by {next}'s record role", s =>
                    Assume(s.Record(next).Arn, [.. s.Record(next).Policies, AssumeAnything], s.Reader(env)),
                    raw => TemplateEdits.TrustAccountRoot(raw[env], reader, Account(next)));
                Deny($"{env} reader is assumed by any role of {next}'s account", s => Assume(AnyRole(next), [AssumeAnything], s.Reader(env)),
                    raw => TemplateEdits.TrustAccountRoot(raw[env], reader, Account(next)));
                Deny($"{env} reader is assumed from its own account", s => Assume(AnyRole(env), [AssumeAnything], s.Reader(env)),
                    raw => TemplateEdits.TrustAccountRoot(raw[env], reader, Account(env)));
                Allow($"{env} reader reads green", s => Call(s.Reader(env), "ssm:GetParameters", Evidence(env, "green", Sha)),
                    raw => TemplateEdits.RemoveStatements(raw[env], reader, "ssm:GetParameters"));
                Allow($"{env} reader lists revoked", s => Call(s.Reader(env), "ssm:GetParametersByPath", Parameter(env, $"promote/{Service}/{env}/revoked")),
                    raw => TemplateEdits.RemoveStatements(raw[env], reader, "ssm:GetParametersByPath"));
                Deny($"{env} reader lists the whole evidence root (a recursive listing reads bypasses and approvals)",
                    s => Call(s.Reader(env), "ssm:GetParametersByPath", Parameter(env, $"promote/{Service}/{env}")),
                    raw => TemplateEdits.AllowOnRole(raw[env], reader, "ssm:GetParametersByPath"));
                Deny($"{env} reader reads bypasses", s => Call(s.Reader(env), "ssm:GetParameters", Evidence(env, "bypass", Sha)),
                    raw => TemplateEdits.AllowOnRole(raw[env], reader, "ssm:GetParameters"));
                Deny($"{env} reader reads approvals", s => Call(s.Reader(env), "ssm:GetParametersByPath", Evidence(env, "approval", Sha)),
                    raw => TemplateEdits.AllowOnRole(raw[env], reader, "ssm:GetParametersByPath"));
                Deny($"{env} reader writes green", s => Call(s.Reader(env), "ssm:PutParameter", Evidence(env, "green", Sha)),
                    raw => TemplateEdits.AllowOnRole(raw[env], reader, "ssm:PutParameter"));
                if (GitPromote.Examples.Cdk.ExampleApp.HealthAlarms.ContainsKey(env))
                {
                    // What next's gate does after assuming the reader: read this environment's alarms, and only read them.
                    Allow($"{env} reader, assumed by {next}'s gate, reads {env}'s alarms", s => Call(s.Reader(env), "cloudwatch:DescribeAlarms", Alarm(env)),
                        raw => TemplateEdits.RemoveStatements(raw[env], reader, "cloudwatch:DescribeAlarms"));
                    Deny($"{env} reader reads alarms in another region", s => Call(s.Reader(env), "cloudwatch:DescribeAlarms", Alarm(env, region: "us-east-1")),
                        raw => TemplateEdits.AllowOnRole(raw[env], reader, "cloudwatch:DescribeAlarms"));
                    foreach (var action in new[] { "cloudwatch:PutMetricAlarm", "cloudwatch:SetAlarmState", "cloudwatch:DeleteAlarms",
                        "cloudwatch:DisableAlarmActions" })
                        Deny($"{env} reader calls {action}", s => Call(s.Reader(env), action, Alarm(env)),
                            raw => TemplateEdits.AllowOnRole(raw[env], reader, action));
                }
                else
                {
                    Deny($"{env} reader reads alarms ({env} has no health)", s => Call(s.Reader(env), "cloudwatch:DescribeAlarms", Alarm(env)),
                        raw => TemplateEdits.AllowOnRole(raw[env], reader, "cloudwatch:DescribeAlarms"));
                }
                Deny($"{env} reader reads the pinned policy", s => Call(s.Reader(env), "ssm:GetParameter", PolicyParameter(env)),
                    raw => TemplateEdits.AllowOnRole(raw[env], reader, "ssm:GetParameter"));
            }
        }
        foreach (var env in Environments) BuildGuardCases(env, set, Allow, Deny);
        foreach (var env in Environments) PruneCases(env, set, Allow, Deny);
        foreach (var env in DeployedSet.GitHubEnvironments) GitHubCases(env, set, Allow, Deny);
        return cases;
    }

    private const string GitHubProvider = "token.actions.githubusercontent.com";

    /// <summary>The claims of a GitHub Actions job's OIDC token, as AWS STS gets them as condition keys.</summary>
    private static Dictionary<string, string> Claims(string environment, string workflow = GatedWorkflow, string repositoryId = RepositoryId) => new()
    {
        [$"{GitHubProvider}:repository_id"] = repositoryId,
        [$"{GitHubProvider}:job_workflow_ref"] = workflow,
        [$"{GitHubProvider}:environment"] = environment,
    };

    private const string GatedWorkflow = "orders-org/deploy-gates/.github/workflows/gated-deploy.yml@refs/heads/main";
    private const string RepositoryId = "812345678";

    /// <summary>
    /// sts:AssumeRoleWithWebIdentity by a GitHub job with <paramref name="claims"/>. The simulator evaluates GitHub's own
    /// claims (repository_id, job_workflow_ref, environment) but not the standard OIDC keys aud and sub, which it leaves
    /// out of every request: they are taken out of the trust here, and checked as written by GitHubWorkflowTrustTests.
    /// </summary>
    private static Simulation WebIdentity(TemplateRole role, IReadOnlyDictionary<string, string> claims)
    {
        var trust = role.Trust.DeepClone();
        foreach (var statement in trust["Statement"]!.AsArray())
            foreach (var (_, block) in statement!["Condition"]?.AsObject().ToList() ?? [])
                foreach (var key in block!.AsObject().Select(k => k.Key).Where(k => k.EndsWith(":aud", StringComparison.Ordinal)
                    || k.EndsWith(":sub", StringComparison.Ordinal)).ToList())
                    block.AsObject().Remove(key);
        var provider = $"arn:aws:iam::{role.Arn.Split(':')[4]}:oidc-provider/{GitHubProvider}";
        return new Simulation(new IamRequest(provider, "sts:AssumeRoleWithWebIdentity", role.Arn, claims), [], trust);
    }

    /// <summary>
    /// examples/github: the gate and record jobs of the gated workflow run in the GitHub Environment promote-ENV and get the
    /// gate and record roles; the deploy job of the same workflow, run in ENV, whose token the deployed code can ask for,
    /// gets neither; nor does a job of the service's own workflow, of another repository, of the gated workflow at another
    /// ref, or of another environment's gated jobs.
    /// </summary>
    private static void GitHubCases(string env, DeployedSet set, Action<string, Func<DeployedSet, Simulation>, Action<Dictionary<string, JsonObject>>> allow,
        Action<string, Func<DeployedSet, Simulation>, Action<Dictionary<string, JsonObject>>> deny)
    {
        var key = env + GitHubSuffix;
        var gate = set[key].Roles().Single(r => r.Arn.EndsWith($"/promote-{Service}-{env}-gate-build", StringComparison.Ordinal)).Id;
        var record = set[key].Roles().Single(r => r.Arn.EndsWith($"/promote-{Service}-{env}-record-build", StringComparison.Ordinal)).Id;
        var gated = $"promote-{env}";
        foreach (var (role, kind) in new[] { (gate, "gate"), (record, "record") })
        {
            allow($"{env} github: the gated workflow's {kind} job ({gated}) assumes the {kind} build role",
                s => WebIdentity(s[key].Role(role), Claims(gated)),
                raw => TemplateEdits.RemoveTrustStatement(raw[key], role, "GitHubGatedWorkflowOnly"));
            deny($"{env} github: the deploy job of the same workflow ({env}) assumes the {kind} build role",
                s => WebIdentity(s[key].Role(role), Claims(env)),
                raw => TemplateEdits.RemoveTrustCondition(raw[key], role, $"{GitHubProvider}:environment"));
        }
        deny($"{env} github: a job of the service's own workflow in {gated} assumes the record build role",
            s => WebIdentity(s[key].Role(record), Claims(gated, "orders-org/orders-service/.github/workflows/deploy.yml@refs/heads/main")),
            raw => TemplateEdits.RemoveTrustCondition(raw[key], record, $"{GitHubProvider}:job_workflow_ref"));
        deny($"{env} github: the gated workflow at another ref assumes the record build role",
            s => WebIdentity(s[key].Role(record), Claims(gated, GatedWorkflow.Replace("refs/heads/main", "refs/heads/fix", StringComparison.Ordinal))),
            raw => TemplateEdits.RemoveTrustCondition(raw[key], record, $"{GitHubProvider}:job_workflow_ref"));
        deny($"{env} github: the gated workflow called from another repository assumes the record build role",
            s => WebIdentity(s[key].Role(record), Claims(gated, repositoryId: "987654321")),
            raw => TemplateEdits.RemoveTrustCondition(raw[key], record, $"{GitHubProvider}:repository_id"));
        var other = env == "prd" ? "stg" : "prd";
        deny($"{env} github: {other}'s gated record job assumes {env}'s record build role",
            s => WebIdentity(s[key].Role(record), Claims($"promote-{other}")),
            raw => TemplateEdits.RemoveTrustCondition(raw[key], record, $"{GitHubProvider}:environment"));
    }

    /// <summary>An account administrator (AdministratorAccess), or CloudFormation's execution role with the same, under the build guard SCP.</summary>
    private static readonly NamedPolicy Administrator = new("AdministratorAccess", JsonNode.Parse(
        """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}""")!);

    private static string CloudFormation(string env) => $"arn:aws:iam::{Account(env)}:role/AWSCloudFormationStackSetExecutionRole";

    private static string PathRole(string env, string kind) => $"arn:aws:iam::{Account(env)}:role/git-promote/promote-{Service}-{env}-{kind}";

    /// <summary>
    /// Item by item, every route to a green record the build guard closes: denied to an administrator under the SCP (and seen
    /// allowed once that action leaves the SCP), allowed to the principal the pipeline uses for it and to CloudFormation's
    /// execution role for a stack update (each seen denied once its exemption leaves the SCP).
    /// </summary>
    private static void BuildGuardCases(string env, DeployedSet set,
        Action<string, Func<DeployedSet, Simulation>, Action<Dictionary<string, JsonObject>>> allow,
        Action<string, Func<DeployedSet, Simulation>, Action<Dictionary<string, JsonObject>>> deny)
    {
        Simulation As(DeployedSet s, string principal, string action, string resource) =>
            new(new IamRequest(principal, action, resource), [Administrator]) { Scps = [s.Scp(env)] };
        Simulation Admin(DeployedSet s, string action, string resource) => As(s, AnyRole(env, "Admin"), action, resource);
        Action<Dictionary<string, JsonObject>> Without(string scpAction) => raw => TemplateEdits.RemoveScpAction(raw[env], Account(env), scpAction);
        Action<Dictionary<string, JsonObject>> NotExempting(string principal) => raw => TemplateEdits.RemoveScpExemption(raw[env], Account(env), principal);

        var routes = new List<(string Name, string Action, string ScpAction, Func<DeployedSet, string> Resource)>
        {
            ("starts the record build", "codebuild:StartBuild", "codebuild:StartBuild", s => s.RecordProject(env)),
            ("starts a record build batch", "codebuild:StartBuildBatch", "codebuild:StartBuildBatch", s => s.RecordProject(env)),
            ("retries the record build", "codebuild:RetryBuild", "codebuild:RetryBuild", s => s.RecordProject(env)),
            ("changes the record build", "codebuild:UpdateProject", "codebuild:UpdateProject", s => s.RecordProject(env)),
            ("deletes the record project", "codebuild:DeleteProject", "codebuild:DeleteProject", s => s.RecordProject(env)),
            ("creates a project under the record project's name", "codebuild:CreateProject", "codebuild:CreateProject", s => s.RecordProject(env)),
            ("starts the prune build", "codebuild:StartBuild", "codebuild:StartBuild", s => s.PruneProject(env)),
            ("changes the pipeline", "codepipeline:UpdatePipeline", "codepipeline:UpdatePipeline", s => s.PipelineArn(env)),
            ("deletes the pipeline", "codepipeline:DeletePipeline", "codepipeline:DeletePipeline", s => s.PipelineArn(env)),
            ("creates a pipeline under its name", "codepipeline:CreatePipeline", "codepipeline:CreatePipeline", s => s.PipelineArn(env)),
            ("passes the pipeline role to a new pipeline", "iam:PassRole", "iam:PassRole", _ => PathRole(env, "pipeline")),
            ("passes the record build role to a new project", "iam:PassRole", "iam:PassRole", _ => PathRole(env, "record-build")),
            ("adds a policy to the record build role", "iam:PutRolePolicy", "iam:Put*", _ => PathRole(env, "record-build")),
            ("attaches a policy to the record action role", "iam:AttachRolePolicy", "iam:Attach*", _ => PathRole(env, "record-action")),
            ("rewrites the record action role's trust", "iam:UpdateAssumeRolePolicy", "iam:Update*", _ => PathRole(env, "record-action")),
            ("removes the record build role's permissions boundary", "iam:DeleteRolePermissionsBoundary", "iam:Delete*", _ => PathRole(env, "record-build")),
            ("creates a role under the git-promote path", "iam:CreateRole", "iam:Create*", _ => PathRole(env, "record-build-2")),
            ("tags the pipeline role", "iam:TagRole", "iam:Tag*", _ => PathRole(env, "pipeline")),
            ("writes green", "ssm:PutParameter", "ssm:PutParameter", _ => Evidence(env, "green", Sha)),
            ("deletes green", "ssm:DeleteParameter", "ssm:DeleteParameter", _ => Evidence(env, "green", Sha)),
            ("writes a deployment event", "ssm:PutParameter", "ssm:PutParameter", _ => Evidence(env, "deploy", $"20260101T000000Z-{Sha}-ab12")),
            ("deletes deployment events", "ssm:DeleteParameters", "ssm:DeleteParameters", _ => Evidence(env, "deploy", $"20260101T000000Z-{Sha}-ab12")),
            ("writes the pinned policy", "ssm:PutParameter", "ssm:PutParameter", _ => PolicyParameter(env)),
        };
        if (env != Environments[0])
            routes.Add(("starts the gate build", "codebuild:StartBuild", "codebuild:StartBuild", s => s.GateProject(env)));
        foreach (var (name, action, scpAction, resource) in routes)
            deny($"{env} build guard: an administrator {name}", s => Admin(s, action, resource(s)), Without(scpAction));

        // What the pipeline itself does, under the SCP.
        allow($"{env} build guard: the record action role starts the record build", s =>
            Call(s.RecordAction(env), "codebuild:StartBuild", s.RecordProject(env)) with { Scps = [s.Scp(env)] },
            NotExempting(PathRole(env, "record-action")));
        allow($"{env} build guard: the schedule's role starts the prune build", s =>
            Call(s.PruneSchedule(env), "codebuild:StartBuild", s.PruneProject(env)) with { Scps = [s.Scp(env)] },
            NotExempting(PathRole(env, "prune-schedule")));
        allow($"{env} build guard: the record build writes green", s =>
            Call(s.Record(env), "ssm:PutParameter", Evidence(env, "green", Sha)) with { Scps = [s.Scp(env)] },
            NotExempting(PathRole(env, "record-build")));
        allow($"{env} build guard: the prune build deletes old green records", s =>
            Call(s.Prune(env), "ssm:DeleteParameters", Evidence(env, "green", Sha)) with { Scps = [s.Scp(env)] },
            NotExempting(PathRole(env, "prune-build")));
        if (env != Environments[0])
            allow($"{env} build guard: the gate action role starts the gate build", s =>
                Call(s.GateAction(env), "codebuild:StartBuild", s.GateProject(env)) with { Scps = [s.Scp(env)] },
                NotExempting(PathRole(env, "gate-action")));

        // A stack update, by CloudFormation's execution role.
        foreach (var (name, action, resource) in new (string, string, Func<DeployedSet, string>)[]
        {
            ("changes the record build", "codebuild:UpdateProject", s => s.RecordProject(env)),
            ("changes the pipeline", "codepipeline:UpdatePipeline", s => s.PipelineArn(env)),
            ("passes the pipeline role", "iam:PassRole", _ => PathRole(env, "pipeline")),
            ("changes the record build role's policy", "iam:PutRolePolicy", _ => PathRole(env, "record-build")),
            ("publishes the pinned policy", "ssm:PutParameter", _ => PolicyParameter(env)),
        })
            allow($"{env} build guard: CloudFormation's execution role {name} (a stack update)", s => As(s, CloudFormation(env), action, resource(s)),
                NotExempting(CloudFormation(env)));

        // Everything else of the account is the administrator's as before.
        foreach (var (name, action, resource) in new (string, string, string)[]
        {
            ("starts another project", "codebuild:StartBuild", $"arn:aws:codebuild:{ResolvedTemplate.Region}:{Account(env)}:project/team-build"),
            ("passes a role outside the git-promote path", "iam:PassRole", $"arn:aws:iam::{Account(env)}:role/team-deploy"),
            ("writes another service's green", "ssm:PutParameter", Parameter(env, $"promote/payments/{env}/green/{Sha}")),
        })
            allow($"{env} build guard: an administrator {name}", s => Admin(s, action, resource),
                raw => TemplateEdits.DenyEverythingInScp(raw[env], Account(env)));
    }

    /// <summary>The prune build's role: what git promote prune does, and none of what would open a way to green or hide a record that matters.</summary>
    private static void PruneCases(string env, DeployedSet set, Action<string, Func<DeployedSet, Simulation>, Action<Dictionary<string, JsonObject>>> allow,
        Action<string, Func<DeployedSet, Simulation>, Action<Dictionary<string, JsonObject>>> deny)
    {
        var prune = set.Prune(env).Id;
        allow($"{env} prune lists the environment's records", s => Call(s.Prune(env), "ssm:GetParametersByPath", Parameter(env, $"promote/{Service}/{env}")),
            raw => TemplateEdits.RemoveStatements(raw[env], prune, "ssm:GetParametersByPath"));
        foreach (var (folder, leaf) in new[] { ("green", Sha), ("approval", $"{Sha}/ada"), ("deploy", $"20260101T000000Z-{Sha}-ab12") })
            allow($"{env} prune deletes {folder} records", s => Call(s.Prune(env), "ssm:DeleteParameters", Evidence(env, folder, leaf)),
                raw => TemplateEdits.RemoveStatements(raw[env], prune, "ssm:DeleteParameters"));
        foreach (var folder in new[] { "revoked", "revoked-lifted", "bypass" })
            deny($"{env} prune deletes {folder} records", s => Call(s.Prune(env), "ssm:DeleteParameters", Evidence(env, folder, Sha)),
                raw => TemplateEdits.AllowOnRole(raw[env], prune, "ssm:DeleteParameters"));
        deny($"{env} prune writes green", s => Call(s.Prune(env), "ssm:PutParameter", Evidence(env, "green", Sha)),
            raw => TemplateEdits.AllowOnRole(raw[env], prune, "ssm:PutParameter"));
        deny($"{env} prune deletes another environment's green", s => Call(s.Prune(env), "ssm:DeleteParameters",
                Parameter(env, $"promote/{Service}/{(env == "prd" ? "stg" : "prd")}/green/{Sha}")),
            raw => TemplateEdits.AllowOnRole(raw[env], prune, "ssm:DeleteParameters"));
        allow($"{env} prune reads what is deployed from the repository", s =>
                Call(s.Prune(env), "codecommit:GitPull", $"arn:aws:codecommit:{ResolvedTemplate.Region}:{Account(env)}:{Service}-{env}"),
            raw => TemplateEdits.RemoveStatements(raw[env], prune, "codecommit:GitPull"));
        deny($"{env} prune pushes to the repository", s =>
                Call(s.Prune(env), "codecommit:GitPush", $"arn:aws:codecommit:{ResolvedTemplate.Region}:{Account(env)}:{Service}-{env}"),
            raw => TemplateEdits.AllowOnRole(raw[env], prune, "codecommit:GitPush"));
        deny($"{env} anyone in the account assumes the prune role", s => Assume(AnyRole(env), [AssumeAnything], s.Prune(env)),
            raw => TemplateEdits.TrustAccountRoot(raw[env], prune, Account(env)));
        var schedule = set.PruneSchedule(env).Id;
        deny($"{env} the prune schedule's role starts the record build", s => Call(s.PruneSchedule(env), "codebuild:StartBuild", s.RecordProject(env)),
            raw => TemplateEdits.AllowOnRole(raw[env], schedule, "codebuild:StartBuild"));
        deny($"{env} anyone in the account assumes the prune schedule's role", s => Assume(AnyRole(env), [AssumeAnything], s.PruneSchedule(env)),
            raw => TemplateEdits.TrustAccountRoot(raw[env], schedule, Account(env)));
    }

    private static string Alarm(string environment, string name = "orders-stg-5xx", string region = ResolvedTemplate.Region) =>
        $"arn:aws:cloudwatch:{region}:{Account(environment)}:alarm:{name}";

    private static Simulation Dev(DeployedSet s, string env, string action, string resource, IReadOnlyDictionary<string, string>? context = null)
    {
        var (arn, policies) = s.Developer(env);
        return new Simulation(new IamRequest(arn, action, resource, context), policies);
    }

    private static Simulation CallWith(TemplateRole role, string action, string resource, IReadOnlyDictionary<string, string> context) =>
        new(new IamRequest(role.Arn, action, resource, context), role.Policies);

    /// <summary>PutParameter's ssm:Overwrite, as SSM sets it from the request's Overwrite.</summary>
    private static Dictionary<string, string> Overwrite(bool value) => new() { ["ssm:Overwrite"] = value ? "true" : "false" };

    /// <summary>A target role that trusts a whole account: only the caller's own policy can refuse the call.</summary>
    private static JsonNode TrustingAccount(string account) => new JsonObject
    {
        ["Version"] = "2012-10-17",
        ["Statement"] = new JsonArray(new JsonObject
        {
            ["Effect"] = "Allow",
            ["Action"] = "sts:AssumeRole",
            ["Principal"] = new JsonObject { ["AWS"] = $"arn:aws:iam::{account}:root" },
        }),
    };
}
