using Amazon.CDK;
using GitPromote.Core.Policy;
using GitPromote.TestSupport;

namespace GitPromote.Cdk.Tests;

/// <summary>
/// HealthAlarms: written into the pinned policy every account publishes, refused when the policy's own health says
/// otherwise; cloudwatch:DescribeAlarms on the account's alarms where an environment has health, nowhere else; and the
/// optional CodePipeline entry condition on the deploy stage.
/// </summary>
public sealed class HealthTests : IDisposable
{
    private static readonly IReadOnlyDictionary<string, IReadOnlyList<string>> StgAlarms =
        new Dictionary<string, IReadOnlyList<string>> { ["stg"] = ["orders-stg-5xx", "orders-stg-latency-*"] };

    private readonly TempDirectory _temp = new();
    private readonly string _tarball;

    public HealthTests() => _tarball = PromotedSet.Tarball(Path.Combine(_temp.Path, "dist"), "x");

    public void Dispose() => _temp.Dispose();

    private Dictionary<string, Cfn> Synthesize(IReadOnlyDictionary<string, IReadOnlyList<string>>? alarms, string policy = PromotedSet.Policy,
        Func<string, bool>? entryCondition = null)
    {
        var outdir = Path.Combine(_temp.Path, Guid.NewGuid().ToString("N"));
        var app = new App(new AppProps { Outdir = outdir, AnalyticsReporting = false });
        foreach (var environment in PromotedSet.Accounts.Keys)
        {
            var stack = PromotedSet.NewStack(app, environment);
            var props = PromotedSet.Props(stack, environment, GitPromoteBinary.FromTarball(_tarball), policy);
            new PromotedEnvironment(stack, "Promoted", new PromotedEnvironmentProps
            {
                Environment = props.Environment,
                Policy = props.Policy,
                Accounts = props.Accounts,
                Binary = props.Binary,
                DeployStages = props.DeployStages,
                HealthAlarms = alarms,
                AlarmEntryCondition = entryCondition?.Invoke(environment) ?? false,
            });
        }
        app.Synth();
        return PromotedSet.Accounts.Keys.ToDictionary(e => e, e => Cfn.Load(Path.Combine(outdir, $"orders-{e}.template.json")));
    }

    private ArgumentException Refused(string environment, IReadOnlyDictionary<string, IReadOnlyList<string>>? alarms, string policy = PromotedSet.Policy,
        bool entryCondition = false)
    {
        var app = new App(new AppProps { AnalyticsReporting = false });
        var stack = PromotedSet.NewStack(app, environment);
        var props = PromotedSet.Props(stack, environment, GitPromoteBinary.FromTarball(_tarball), policy);
        return Assert.ThrowsAny<ArgumentException>(() => new PromotedEnvironment(stack, "Promoted", new PromotedEnvironmentProps
        {
            Environment = props.Environment,
            Policy = props.Policy,
            Accounts = props.Accounts,
            Binary = props.Binary,
            DeployStages = props.DeployStages,
            HealthAlarms = alarms,
            AlarmEntryCondition = entryCondition,
        }));
    }

    private static string PinnedPolicy(Cfn template) =>
        Cfn.Flatten(template.Single("AWS::SSM::Parameter", p => p.GetProperty("Name").GetString() == "/promote/orders/policy").Properties.GetProperty("Value"));

    private static IEnumerable<Statement> AlarmReads(Cfn template) =>
        template.IdentityStatements().Where(s => s.Actions.Any(a => a.StartsWith("cloudwatch:", StringComparison.Ordinal)));

    private static string WithStgHealth(string alarms) =>
        PromotedSet.Policy.Replace("  - name: stg\n    remotes: [stg]\n",
            $"  - name: stg\n    remotes: [stg]\n    health:\n      alarms: {alarms}\n      healthy_for: 30m\n", StringComparison.Ordinal);

    [Fact]
    public void HealthAlarms_are_written_into_the_pinned_policy_of_every_account_as_stg_health()
    {
        var templates = Synthesize(StgAlarms);

        var texts = templates.Values.Select(PinnedPolicy).Distinct().ToList();
        var text = Assert.Single(texts);
        var policy = PolicyLoader.Load(text, ".promote.yml", "").Policy!;
        Assert.Equal(["orders-stg-5xx", "orders-stg-latency-*"], policy.FindEnvironment("stg")!.Health!.Alarms.Select(a => a.Text));
        Assert.Null(policy.FindEnvironment("dev")!.Health);
        Assert.Null(policy.FindEnvironment("prd")!.Health);
    }

    [Fact]
    public void Health_already_in_the_policy_with_the_same_alarms_is_kept_as_written()
    {
        var policy = WithStgHealth("['orders-stg-latency-*', orders-stg-5xx]");
        Assert.Equal(policy, PinnedPolicy(Synthesize(StgAlarms, policy)["prd"]));
    }

    [Fact]
    public void Health_in_the_policy_that_differs_from_HealthAlarms_is_refused_naming_both_lists()
    {
        var error = Refused("stg", StgAlarms, WithStgHealth("[orders-stg-5xx]"));
        Assert.Equal(
            "HealthAlarms gives stg [orders-stg-5xx, orders-stg-latency-*], but .promote.yml's 'health' of stg lists [orders-stg-5xx]: the pinned " +
            "policy can hold only one list. Keep the alarms in one place (remove stg from HealthAlarms, or 'health' from .promote.yml), or make both the same.",
            error.Message);
    }

    [Fact]
    public void HealthAlarms_for_an_unknown_environment_or_the_last_one_are_refused()
    {
        var unknown = Refused("dev", new Dictionary<string, IReadOnlyList<string>> { ["qa"] = ["x"] });
        Assert.Equal("unknown environment 'qa' in HealthAlarms: .promote.yml of orders has dev, stg, prd.", unknown.Message);

        var last = Refused("dev", new Dictionary<string, IReadOnlyList<string>> { ["prd"] = ["orders-prd-5xx"] });
        Assert.Contains("has no effect", last.Message); Assert.Contains("prd", last.Message); Assert.StartsWith("the policy is not valid", last.Message);

        var empty = Refused("dev", new Dictionary<string, IReadOnlyList<string>> { ["stg"] = [] });
        Assert.StartsWith("HealthAlarms of stg must list alarm names or prefixes", empty.Message);
    }

    [Fact]
    public void A_policy_whose_environment_is_not_a_name_block_is_refused_rather_than_published_without_health()
    {
        var flow = PromotedSet.Policy.Replace("  - name: stg\n    remotes: [stg]\n    evidence: [ { ssm: {} } ]\n",
            "  - { name: stg, remotes: [stg], evidence: [ { ssm: {} } ] }\n", StringComparison.Ordinal);
        Assert.NotEqual(PromotedSet.Policy, flow);
        var error = Refused("dev", StgAlarms, flow);
        Assert.StartsWith("could not write HealthAlarms of stg into the policy text", error.Message);
    }

    [Fact]
    public void Only_the_environment_with_health_grants_DescribeAlarms_and_only_on_its_own_accounts_alarms()
    {
        var templates = Synthesize(StgAlarms);

        var stg = AlarmReads(templates["stg"]).ToList();
        Assert.Equal(2, stg.Count);
        var reader = templates["stg"].RoleNamed("promote-orders-stg-evidence-reader").Id;
        var developer = templates["stg"].Single("AWS::IAM::ManagedPolicy", p =>
            p.GetProperty("ManagedPolicyName").GetString() == "promote-orders-stg-developer").Id;
        Assert.Contains(stg, s => s.Roles.Contains("${" + reader + "}"));
        Assert.Contains(stg, s => s.PolicyId == developer);
        Assert.All(stg, s =>
        {
            Assert.Equal(["cloudwatch:DescribeAlarms"], s.Actions);
            Assert.Equal(["arn:${AWS::Partition}:cloudwatch:eu-west-1:222222222222:alarm:*"], s.Resources);
        });
        Assert.Empty(AlarmReads(templates["dev"]));
        Assert.Empty(AlarmReads(templates["prd"]));
        Assert.Empty(AlarmReads(Synthesize(null)["stg"]));
    }

    [Fact]
    public void The_entry_condition_is_off_by_default()
    {
        var stg = Synthesize(StgAlarms.ToDictionary(a => a.Key, _ => (IReadOnlyList<string>)["orders-stg-5xx"]))["stg"];
        Assert.DoesNotContain("BeforeEntry", stg.Pipeline.GetRawText());
    }

    [Fact]
    public void The_entry_condition_holds_the_deploy_stage_with_a_rule_per_alarm_and_refusing_state_run_as_the_pipeline_role()
    {
        var alarms = new Dictionary<string, IReadOnlyList<string>> { ["stg"] = ["orders-stg-5xx", "orders-stg-latency"] };
        var stg = Synthesize(alarms, entryCondition: e => e == "stg")["stg"];

        var stages = stg.Pipeline.GetProperty("Stages").EnumerateArray().ToList();
        Assert.Equal(["Deploy"], stages.Where(s => s.TryGetProperty("BeforeEntry", out _)).Select(s => s.GetProperty("Name").GetString()));
        var condition = Assert.Single(stages.Single(s =>
            s.GetProperty("Name").GetString() == "Deploy").GetProperty("BeforeEntry").GetProperty("Conditions").EnumerateArray());
        Assert.Equal("FAIL", condition.GetProperty("Result").GetString());
        var rules = condition.GetProperty("Rules").EnumerateArray().ToList();
        // AlarmStates set (the reference has listed it as required): ALARM, and INSUFFICIENT_DATA because the policy's
        // insufficient_data is block (its default). One state a rule; no WaitTime (nothing in the policy means it).
        Assert.Equal(["orders-stg-5xx ALARM", "orders-stg-5xx INSUFFICIENT_DATA", "orders-stg-latency ALARM", "orders-stg-latency INSUFFICIENT_DATA"],
            rules.Select(r => r.GetProperty("Configuration").GetProperty("AlarmName").GetString() + " "
                + r.GetProperty("Configuration").GetProperty("AlarmStates").GetString()));
        Assert.All(rules, r => Assert.False(r.GetProperty("Configuration").TryGetProperty("WaitTime", out _)));
        Assert.All(rules, r => Assert.Equal("""{"Category":"Rule","Owner":"AWS","Provider":"CloudWatchAlarm","Version":"1"}""",
            System.Text.Json.JsonSerializer.Serialize(r.GetProperty("RuleTypeId"))));

        var pipelineRole = Cfn.Flatten(stg.Pipeline.GetProperty("RoleArn"));
        var read = Assert.Single(stg.IdentityStatements(), s => s.Sid == "HoldDeployOnHealthAlarms");
        Assert.Contains(read.Roles, r => pipelineRole.StartsWith(r.TrimEnd('}'), StringComparison.Ordinal));
        Assert.Equal(["arn:${AWS::Partition}:cloudwatch:eu-west-1:222222222222:alarm:*"], read.Resources);
    }

    [Fact]
    public void With_insufficient_data_ignored_only_the_ALARM_state_holds_the_deploy_stage()
    {
        var policy = WithStgHealth("[orders-stg-5xx]").Replace("      healthy_for: 30m\n", "      healthy_for: 30m\n      insufficient_data: ignore\n",
            StringComparison.Ordinal);
        var stg = Synthesize(null, policy, entryCondition: e => e == "stg")["stg"];
        var deploy = stg.Pipeline.GetProperty("Stages").EnumerateArray().Single(s => s.GetProperty("Name").GetString() == "Deploy");
        var rule = Assert.Single(deploy.GetProperty("BeforeEntry").GetProperty("Conditions")[0].GetProperty("Rules").EnumerateArray());
        Assert.Equal("ALARM", rule.GetProperty("Configuration").GetProperty("AlarmStates").GetString());
    }

    [Fact]
    public void More_rules_than_a_CodePipeline_condition_holds_are_refused()
    {
        var three = new Dictionary<string, IReadOnlyList<string>> { ["stg"] = ["orders-stg-5xx", "orders-stg-4xx", "orders-stg-latency"] };
        var error = Refused("stg", three, entryCondition: true);
        Assert.StartsWith("AlarmEntryCondition needs 6 CloudWatchAlarm rules (3 alarms x ALARM and INSUFFICIENT_DATA), but a CodePipeline condition " +
            "holds at most 5", error.Message);
    }

    [Fact]
    public void The_entry_condition_refuses_prefixes_and_environments_without_health()
    {
        var prefix = Refused("stg", StgAlarms, entryCondition: true);
        Assert.StartsWith("AlarmEntryCondition takes alarm names, but stg's health has the prefix 'orders-stg-latency-*'", prefix.Message);
        var none = Refused("dev", StgAlarms, entryCondition: true);
        Assert.StartsWith("AlarmEntryCondition needs health alarms of dev", none.Message);
    }
}
