using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using GitPromote.Cdk.Tests.Iam;
using Xunit.Abstractions;

namespace GitPromote.IntegrationTests;

/// <summary>
/// What a developer does with the example policy (examples/cdk/promote.yml), through the installed hooks and binary, with
/// every AWS request recorded: a guarded push, an approval, a bypass push, status, audit and history. Each call is evaluated with
/// the IAM simulator under the construct's developer policy of the account it goes to (committed templates); prune's calls
/// under the construct's prune build role and under the policy docs/aws.md gives the role that prunes.
/// </summary>
[Collection(InstalledCollection.Name)]
public sealed partial class DeveloperCallsTests(InstalledGitPromote installed, ITestOutputHelper output) : IDisposable
{
    private const string ExampleService = "orders-service";
    private static readonly Dictionary<string, string> Accounts = new() { ["dev"] = "111111111111", ["stg"] = "222222222222", ["prd"] = "333333333333" };
    private readonly Sandbox _s = new(installed);

    public void Dispose() => _s.Dispose();

    [Fact]
    public void Every_call_of_a_developers_push_approve_bypass_status_audit_and_history_is_allowed_by_the_developer_policy_and_prune_by_the_documented_one()
    {
        using var aws = new AwsWorld(_s);
        using var ssm = new RecordingProxy(SharedMoto.Server.DirectEndpoint);
        using var pipelines = new RecordingProxy(aws.Pipelines.Endpoint);
        _s.Environment["AWS_ENDPOINT_URL_SSM"] = ssm.Endpoint.ToString();
        _s.Environment["AWS_ENDPOINT_URL_STS"] = ssm.Endpoint.ToString();
        _s.Environment["AWS_ENDPOINT_URL_CODEPIPELINE"] = pipelines.Endpoint.ToString();
        var policy = File.ReadAllText(Path.Combine(TestSupport.RepositoryRoot.Path, "examples", "cdk", "promote.yml")).Replace(ExampleService, aws.Service);
        var app = _s.Project(policy);
        var head = _s.Git(app, "rev-parse", "HEAD").EnsureOk().Stdout.Trim();
        // What dev's pipeline would have written after deploying: dev green.
        aws.AwsCli("ssm", "put-parameter", "--name", aws.Green("dev", head), "--type", "String", "--value", "{}").EnsureOk();
        _s.Git(app, "push", "dev", "main").EnsureOk();

        _s.Git(app, "push", "stg", "main").EnsureOk();
        _s.Promote(app, "approve", "prd", "--comment", "CHG-7 reviewed").EnsureOk();
        var bypass = _s.Exec(app, "git", ["push", "prd", "main"], env: new Dictionary<string,
            string?>
        { ["PROMOTE_BYPASS"] = "INC-12: database failover, approved by on-call" });
        Assert.True(bypass.ExitCode == 0, bypass.Output);
        _s.Promote(app, "status").EnsureOk();
        _s.Promote(app, "audit", "prd").EnsureOk();
        _s.Promote(app, "history").EnsureOk();
        var developerCalls = ssm.Calls.Concat(pipelines.Calls).ToList();

        ssm.Clear();
        foreach (var old in new[] { 'a', 'b', 'd' })
            aws.AwsCli("ssm", "put-parameter", "--name", aws.Green("stg", new string(old, 40)), "--type", "String", "--value", "{}").EnsureOk();
        var prune = _s.Promote(app, "prune", "stg", "--keep", "1", "--older-than", "0s");
        Assert.True(prune.ExitCode == 0, prune.Output);
        var pruneCalls = ssm.Calls.ToList();

        var developer = Accounts.Keys.ToDictionary(e => e, e =>
        {
            var t = Template(e);
            var id = t.OfType("AWS::IAM::ManagedPolicy").Single(p => t.Name(p).EndsWith("-developer", StringComparison.Ordinal));
            return t.ManagedPolicy(id);
        });

        var simulations = new List<(string Who, Simulation Simulation)>();
        foreach (var (calls, who) in new[] { (developerCalls, "developer"), (pruneCalls, "pruner") })
        {
            foreach (var call in calls)
            {
                if (call.Action == "sts:GetCallerIdentity")
                {
                    output.WriteLine($"{who}: sts:GetCallerIdentity (needs no permission)");
                    continue;
                }
                foreach (var resource in call.Resources)
                {
                    var named = resource.Replace(aws.Service, ExampleService);
                    var environment = EnvironmentOf(named);
                    var account = Accounts[environment];
                    var arn = call.Action.StartsWith("codepipeline:", StringComparison.Ordinal)
                        ? $"arn:aws:codepipeline:{AwsWorld.Region}:{account}:{named}"
                        : $"arn:aws:ssm:{AwsWorld.Region}:{account}:parameter/{named.TrimStart('/')}";
                    if (who == "developer")
                    {
                        simulations.Add(($"{environment} developer", new Simulation(new IamRequest($"arn:aws:iam::{account}:role/developer", call.Action, arn),
                            [developer[environment]])));
                        continue;
                    }
                    // Prune: as the construct's prune build role, and under the statement docs/aws.md gives for a role that prunes.
                    var pruneRole = Template(environment).Roles().Single(r => r.Arn.EndsWith($"/promote-{ExampleService}-{environment}-prune-build",
                        StringComparison.Ordinal));
                    simulations.Add(($"{environment} pruner", new Simulation(new IamRequest(pruneRole.Arn, call.Action, arn), pruneRole.Policies)));
                    simulations.Add(($"{environment} documented pruner", new Simulation(new IamRequest($"arn:aws:iam::{account}:role/pruner", call.Action, arn),
                        [new NamedPolicy("Prune", DocumentedPrunePolicy(account))])));
                }
            }
        }

        var answers = new IamSimulator().Run(simulations.Select(s => s.Simulation).ToList());
        foreach (var group in simulations.Select((s, i) => (s, answers[i])).GroupBy(x => x.s.Who))
        {
            output.WriteLine(group.Key);
            foreach (var (s, answer) in group) output.WriteLine($"  {answer.Result,-16} {s.Simulation.Request.Action} {s.Simulation.Request.Resource}");
        }
        foreach (var expected in new[] { "ssm:PutParameter", "ssm:GetParameters", "codepipeline:ListPipelineExecutions" })
            Assert.Contains(simulations, s => s.Who.EndsWith("developer", StringComparison.Ordinal) && s.Simulation.Request.Action == expected);
        // history: one recursive listing of each SSM environment's root.
        foreach (var env in new[] { "dev", "stg", "prd" })
            Assert.Contains(simulations, s => s.Who == $"{env} developer" && s.Simulation.Request.Action == "ssm:GetParametersByPath"
                && s.Simulation.Request.Resource.EndsWith($":parameter/promote/{ExampleService}/{env}", StringComparison.Ordinal));
        Assert.Contains(simulations, s => s.Who == "stg pruner" && s.Simulation.Request.Action == "ssm:DeleteParameters");
        Assert.Contains(simulations, s => s.Who == "stg documented pruner" && s.Simulation.Request.Action == "ssm:DeleteParameters");
        var denied = simulations.Where((s, i) => !answers[i].Allowed).Select(s =>
            $"{s.Who}: {s.Simulation.Request.Action} {s.Simulation.Request.Resource}").ToList();
        Assert.True(denied.Count == 0, "calls the policy does not allow (AccessDenied in production):\n  " + string.Join("\n  ", denied));
    }

    /// <summary>The environment a parameter path or pipeline name belongs to.</summary>
    private static string EnvironmentOf(string name)
    {
        var m = EvidencePath().Match(name);
        if (m.Success) return m.Groups[1].Value;
        m = PipelineName().Match(name);
        Assert.True(m.Success, $"a developer call named {name}, which belongs to no environment");
        return m.Groups[1].Value;
    }

    private static ResolvedTemplate Template(string environment) => new(
        (JsonObject)JsonNode.Parse(File.ReadAllText(Path.Combine(TestSupport.RepositoryRoot.Path, "examples", "cdk", "templates",
            $"{ExampleService}-{environment}.template.json")))!,
        Accounts[environment]);

    /// <summary>The JSON statement docs/aws.md gives "the role that prunes", as a policy, with its REGION and ACCOUNT filled in.</summary>
    private static JsonNode DocumentedPrunePolicy(string account)
    {
        var docs = File.ReadAllText(Path.Combine(TestSupport.RepositoryRoot.Path, "docs", "aws.md"));
        var m = PruneStatement().Match(docs);
        Assert.True(m.Success, "docs/aws.md no longer names the policy of the role that prunes");
        var statement = m.Groups[1].Value.Replace("REGION", AwsWorld.Region, StringComparison.Ordinal).Replace("ACCOUNT", account, StringComparison.Ordinal);
        var parsed = JsonNode.Parse(statement)!;
        return new JsonObject { ["Version"] = "2012-10-17", ["Statement"] = parsed is JsonArray ? parsed : new JsonArray(parsed) };
    }

    [GeneratedRegex(@"^/promote/orders-service/([a-z]+)(/|$)")]
    private static partial Regex EvidencePath();

    [GeneratedRegex(@"^orders-service-([a-z]+)$")]
    private static partial Regex PipelineName();

    [GeneratedRegex(@"The role that prunes needs[^`]*```json\s*([\[{].*?[\]}])\s*```", RegexOptions.Singleline)]
    private static partial Regex PruneStatement();
}
