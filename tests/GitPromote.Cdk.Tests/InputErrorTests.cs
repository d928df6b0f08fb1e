using Amazon.CDK;
using GitPromote.TestSupport;

namespace GitPromote.Cdk.Tests;

/// <summary>Wrong input stops the app with what to fix, before a resource exists: no broken template is ever written.</summary>
public sealed class InputErrorTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly string _tarball;

    public InputErrorTests() => _tarball = PromotedSet.Tarball(Path.Combine(_temp.Path, "dist"), "x");

    public void Dispose() => _temp.Dispose();

    private ArgumentException Refused(string environment, string policy = PromotedSet.Policy, IReadOnlyDictionary<string, string>? accounts = null,
        string? stackAccount = null, GitPromoteBinary? binary = null, PromotedSource? source = null)
    {
        var app = new App(new AppProps { AnalyticsReporting = false });
        var stack = PromotedSet.NewStack(app, PromotedSet.Accounts.ContainsKey(environment) ? environment : "dev", stackAccount);
        return Assert.ThrowsAny<ArgumentException>(() =>
            new PromotedEnvironment(stack, "Promoted",
                PromotedSet.Props(stack, environment, binary ?? GitPromoteBinary.FromTarball(_tarball), policy, accounts, source)));
    }

    [Fact]
    public void Missing_account_ids_are_named()
    {
        var error = Refused("stg", accounts: new Dictionary<string, string> { ["stg"] = "222222222222" });
        Assert.Equal("missing account ids for dev, prd: Accounts must give every environment of .promote.yml (dev, stg, prd) its 12-digit account id.",
            error.Message);
    }

    [Fact]
    public void Two_environments_in_one_account_are_refused_because_their_fixed_names_would_collide()
    {
        var error = Refused("stg", accounts: new Dictionary<string, string> { ["dev"] = "111111111111", ["stg"] = "111111111111", ["prd"] = "333333333333" });
        Assert.StartsWith("stg and dev are in the same account 111111111111: their stacks would both create /promote/orders/policy, so the second would fail",
            error.Message);
        Assert.Contains("Give each environment its own account", error.Message);
    }

    [Fact]
    public void An_account_id_that_is_not_twelve_digits_is_refused()
    {
        var error = Refused("stg", accounts: new Dictionary<string, string> { ["dev"] = "111111111111", ["stg"] = "2222", ["prd"] = "333333333333" });
        Assert.Equal("the account id of stg, '2222', is not 12 digits.", error.Message);
    }

    [Fact]
    public void A_name_with_characters_ssm_refuses_is_refused_with_the_policy_line()
    {
        var error = Refused("stg", policy: PromotedSet.Policy.Replace("name: orders", "name: orders/service"));
        Assert.StartsWith("the policy is not valid:", error.Message);
        Assert.Contains(".promote.yml:2:7: 'name' must be 1 to 100 letters, digits, '_', '.' or '-'", error.Message);
        Assert.Contains("SSM parameter names", error.Message);
    }

    [Fact]
    public void A_policy_without_a_name_is_refused_because_every_path_and_role_carries_it()
    {
        var error = Refused("stg", policy: PromotedSet.Policy.Replace("name: orders\n", ""));
        Assert.Contains("set 'name:' in the policy", error.Message);
    }

    [Fact]
    public void An_unknown_environment_name_is_refused_with_the_known_ones()
    {
        var error = Refused("qa");
        Assert.Equal("unknown environment 'qa': .promote.yml of orders has dev, stg, prd. Use one of those names.", error.Message);
    }

    [Fact]
    public void An_unknown_environment_in_the_accounts_is_refused()
    {
        var accounts = new Dictionary<string, string>(PromotedSet.Accounts) { ["qa"] = "444444444444" };
        Assert.Equal("unknown environment 'qa' in Accounts: .promote.yml of orders has dev, stg, prd.", Refused("stg", accounts: accounts).Message);
    }

    [Fact]
    public void A_stack_in_another_account_than_its_environment_is_refused()
    {
        var error = Refused("stg", stackAccount: "333333333333");
        Assert.Equal("this stack deploys to account 333333333333, but Accounts puts stg in 222222222222. Give the stack env.Account of stg.", error.Message);
    }

    [Fact]
    public void An_environment_without_ssm_evidence_is_refused_because_record_writes_there()
    {
        var policy = PromotedSet.Policy.Replace("- name: stg\n    remotes: [stg]\n    evidence: [ { ssm: {} } ]",
            "- name: stg\n    remotes: [stg]\n    evidence: [ { git: {} } ]");
        Assert.NotEqual(PromotedSet.Policy, policy);
        Assert.Contains("environment 'stg' of .promote.yml has no '- ssm: {}' evidence", Refused("stg", policy: policy).Message);
    }

    [Fact]
    public void Role_names_over_the_iam_limit_are_refused_before_deployment_would()
    {
        var longName = new string('o', 60);
        var error = Refused("stg", policy: PromotedSet.Policy.Replace("name: orders", "name: " + longName));
        Assert.Contains("is longer than IAM's 64 characters", error.Message);
    }

    [Fact]
    public void A_connection_source_without_a_connection_arn_is_refused()
    {
        var error = Refused("stg", source: PromotedSource.Connection("my-github", "acme", "orders"));
        Assert.StartsWith("the source connection needs a connection ARN", error.Message);
    }

    /// <summary>
    /// SSM cannot move an advanced parameter back to standard, so the tier is given, not chosen from the policy's size: a
    /// policy that grew past 4 KB and shrank again keeps the tier it was given, and the next update cannot fail on it.
    /// </summary>
    [Fact]
    public void The_pinned_policys_tier_is_the_one_given_whatever_the_policys_size()
    {
        var large = PromotedSet.Policy + "\n# " + new string('x', 4200) + "\n";
        var error = Refused("stg", policy: large);
        Assert.StartsWith($"the policy is {System.Text.Encoding.UTF8.GetByteCount(large)} bytes, more than the 4 KB a standard SSM parameter holds: " +
            "set PolicyParameterTier = ParameterTier.ADVANCED", error.Message);

        foreach (var policy in new[] { large, PromotedSet.Policy })
        {
            var app = new App(new AppProps { Outdir = Path.Combine(_temp.Path, Guid.NewGuid().ToString("N")), AnalyticsReporting = false });
            var stack = PromotedSet.NewStack(app, "stg");
            var props = PromotedSet.Props(stack, "stg", GitPromoteBinary.FromTarball(_tarball), policy);
            new PromotedEnvironment(stack, "Promoted", new PromotedEnvironmentProps
            {
                Environment = props.Environment,
                Policy = props.Policy,
                Accounts = props.Accounts,
                Binary = props.Binary,
                DeployStages = props.DeployStages,
                PolicyParameterTier = Amazon.CDK.AWS.SSM.ParameterTier.ADVANCED,
            });
            var template = Cfn.Load(Path.Combine(app.Synth().Directory, "orders-stg.template.json"));
            Assert.Equal("Advanced", Assert.Single(template.Resources("AWS::SSM::Parameter")).Properties.GetProperty("Tier").GetString());
        }
    }

    [Fact]
    public void A_missing_tarball_is_refused_with_how_to_build_it()
    {
        var error = Refused("stg", binary: GitPromoteBinary.FromTarball(Path.Combine(_temp.Path, "nowhere.tar.gz")));
        Assert.Contains("does not exist", error.Message);
        Assert.Contains("./release.sh", error.Message);
    }

    [Fact]
    public void A_tarball_of_another_version_is_refused()
    {
        var old = Path.Combine(_temp.Path, "git-promote-0.0.1-linux-x64.tar.gz");
        File.WriteAllText(old, "x");
        var error = Refused("stg", binary: GitPromoteBinary.FromTarball(old));
        Assert.Contains($"must be git-promote-{GitPromoteBinary.ConstructVersion}-linux-x64.tar.gz", error.Message);
    }
}

public sealed class PlanTests
{
    private static PromotedEnvironmentProps Props(string environment, string policy) => new()
    {
        Environment = environment,
        Policy = policy,
        Accounts = PromotedSet.Accounts,
        Binary = GitPromoteBinary.FromTemplateParameters(),
        DeployStages = _ => [],
    };

    [Fact]
    public void Plan_names_the_neighbours_and_the_cross_account_roles()
    {
        var plan = PromotionPlan.From(Props("stg", PromotedSet.Policy), stackAccount: null);
        Assert.Equal(new PromotionStep("dev", "111111111111"), plan.Previous);
        Assert.Equal(new PromotionStep("prd", "333333333333"), plan.Next);
        Assert.Equal("promote-orders-dev-evidence-reader", plan.PreviousNames!.EvidenceReaderRole);
        Assert.Equal("promote-orders-prd-gate-build", plan.NextNames!.GateRole);
        Assert.Equal("/promote/orders/policy", plan.PolicyParameter);
        Assert.Equal(("orders-stg", "main"), (plan.PipelineName, plan.Branch));
        Assert.Empty(plan.Warnings);
    }

    [Fact]
    public void A_profile_for_the_environment_is_no_warning_because_a_build_s_role_stands_in_for_a_profile_it_lacks()
    {
        // One committed policy serves people (a profile per account) and builds (their role): git-promote says which it used.
        var policy = PromotedSet.Policy.Replace("- name: stg\n    remotes: [stg]\n", "- name: stg\n    remotes: [stg]\n    aws: { profile: orders-stg }\n");
        Assert.NotEqual(PromotedSet.Policy, policy);
        Assert.Empty(PromotionPlan.From(Props("stg", policy), null).Warnings);
    }

    [Fact]
    public void A_policy_over_the_ssm_limit_is_refused()
    {
        var policy = PromotedSet.Policy + "\n" + string.Concat(Enumerable.Repeat("# padding padding padding padding padding padding\n", 200));
        Assert.Contains("larger than 8192 bytes", Assert.ThrowsAny<ArgumentException>(() => PromotionPlan.From(Props("stg", policy), null)).Message);
    }

    [Fact]
    public void A_glob_as_the_first_branch_needs_an_explicit_branch()
    {
        var policy = PromotedSet.Policy.Replace("branches: [main]", "branches: ['release/*']");
        Assert.Contains("is a pattern; set Branch", Assert.ThrowsAny<ArgumentException>(() => PromotionPlan.From(Props("stg", policy), null)).Message);
    }
}
