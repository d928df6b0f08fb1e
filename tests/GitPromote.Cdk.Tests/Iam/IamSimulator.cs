using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace GitPromote.Cdk.Tests.Iam;

/// <summary>One IAM request: who asks, for what action on what resource, with which condition keys.</summary>
/// <param name="ResourceAccount">The account owning the resource when its ARN does not say (S3); null: the caller's own.</param>
public sealed record IamRequest(string Principal, string Action, string Resource, IReadOnlyDictionary<string, string>? Context = null,
    string? ResourceAccount = null);

/// <summary>
/// A request with everything IAM would weigh: the caller's identity policies and, for sts:AssumeRole, the target role's
/// trust policy (as the resource policy).
/// </summary>
public sealed record Simulation(IamRequest Request, IReadOnlyList<NamedPolicy> Identity, JsonNode? ResourcePolicy = null)
{
    /// <summary>A permissions boundary on the caller, if any.</summary>
    public NamedPolicy? Boundary { get; init; }
    /// <summary>Service control policies over the caller's account (the root's FullAWSAccess is added).</summary>
    public IReadOnlyList<NamedPolicy> Scps { get; init; } = [];

    public bool Allowed(IamSimulator simulator) => simulator.Run([this])[0].Allowed;

    public JsonObject ToJson() => new()
    {
        ["request"] = new JsonObject
        {
            ["principal"] = Request.Principal,
            ["action"] = Request.Action,
            ["resource"] = new JsonObject { ["resource"] = Request.Resource, ["accountId"] = AccountOf(Request.Resource) },
            ["contextVariables"] = new JsonObject(Context().Select(c => KeyValuePair.Create(c.Key, (JsonNode?)JsonValue.Create(c.Value)))),
        },
        ["identityPolicies"] = new JsonArray(Identity.Select(p =>
            (JsonNode)new JsonObject { ["name"] = p.Name, ["policy"] = p.Document.DeepClone() }).ToArray()),
        ["serviceControlPolicies"] = Scps.Count == 0 ? new JsonArray() : new JsonArray(new JsonObject
        {
            ["orgIdentifier"] = "r-root",
            ["policies"] = new JsonArray(Scps.Prepend(FullAwsAccess).Select(p =>
                (JsonNode)new JsonObject { ["name"] = p.Name, ["policy"] = p.Document.DeepClone() }).ToArray()),
        }),
        ["permissionBoundaryPolicies"] = Boundary is null ? null
            : new JsonArray(new JsonObject { ["name"] = Boundary.Name, ["policy"] = Boundary.Document.DeepClone() }),
        ["resourceControlPolicies"] = new JsonArray(),
        ["resourcePolicy"] = ResourcePolicy?.DeepClone(),
    };

    private static readonly NamedPolicy FullAwsAccess = new("FullAWSAccess", JsonNode.Parse(
        """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}""")!);

    /// <summary>The keys AWS sets on every signed request (the simulator leaves them to its caller), then the request's own.</summary>
    private Dictionary<string, string> Context()
    {
        var context = new Dictionary<string, string>();
        if (Request.Principal.StartsWith("arn:", StringComparison.Ordinal))
        {
            context["aws:PrincipalArn"] = Request.Principal;
            context["aws:PrincipalAccount"] = Request.Principal.Split(':')[4];
        }
        foreach (var (key, value) in Request.Context ?? new Dictionary<string, string>()) context[key] = value;
        return context;
    }

    /// <summary>The account of an ARN; S3 ARNs carry none, and every bucket here belongs to the account that asks.</summary>
    private string AccountOf(string arn)
    {
        if (Request.ResourceAccount is { } given) return given;
        var parts = arn.Split(':');
        if (parts.Length > 4 && parts[4].Length > 0) return parts[4];
        var principalParts = Request.Principal.Split(':');
        return principalParts.Length > 4 ? principalParts[4] : "000000000000";
    }
}

public sealed record SimulationAnswer(string Result, string? Errors)
{
    public bool Allowed => Result == "Allowed";
}

/// <summary>
/// Runs <c>@cloud-copilot/iam-simulate</c> (pinned in test.sh) through Iam/simulate.cjs: one node process per batch.
/// The package is found in GIT_PROMOTE_NODE_TOOLS (a node_modules folder), else where test.sh installs it.
/// </summary>
public sealed class IamSimulator
{
    public static string NodeModules { get; } = Environment.GetEnvironmentVariable("GIT_PROMOTE_NODE_TOOLS") is { Length: > 0 } given
        ? given
        : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "git-promote-test", "node", "node_modules");

    public static string Script => Path.Combine(AppContext.BaseDirectory, "Iam", "simulate.cjs");

    public IReadOnlyList<SimulationAnswer> Run(IReadOnlyList<Simulation> simulations)
    {
        var input = new JsonArray(simulations.Select(s => (JsonNode)s.ToJson()).ToArray()).ToJsonString();
        var output = RunNode(Script, input, TimeSpan.FromMinutes(2));
        var answers = JsonNode.Parse(output)!.AsArray()
            .Select(a => new SimulationAnswer(a!["result"]!.GetValue<string>(), a["errors"]?.ToJsonString())).ToList();
        Assert.Equal(simulations.Count, answers.Count);
        for (var i = 0; i < answers.Count; i++)
            Assert.True(answers[i].Result != "Error", $"the simulator refused {Describe(simulations[i])}: {answers[i].Errors}");
        return answers;
    }

    public static string Describe(Simulation s) => $"{s.Request.Principal} {s.Request.Action} {s.Request.Resource}";

    /// <summary>Runs a node script with NODE_PATH at the test tools; fails with what to do when they are not installed.</summary>
    public static string RunNode(string script, string stdin, TimeSpan deadline, params string[] args)
    {
        Assert.True(Directory.Exists(Path.Combine(NodeModules, "@cloud-copilot", "iam-simulate")),
            $"the IAM simulator is not installed in {NodeModules}: run ./test.sh once (it installs the pinned npm test tools), " +
            "or set GIT_PROMOTE_NODE_TOOLS to a node_modules folder holding them.");
        var start = new ProcessStartInfo("node") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(script);
        foreach (var a in args) start.ArgumentList.Add(a);
        start.Environment["NODE_PATH"] = NodeModules;
        start.Environment["CDK_DISABLE_VERSION_CHECK"] = "1";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.StandardInput.Write(stdin);
        process.StandardInput.Close();
        if (!process.WaitForExit(deadline))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"node {Path.GetFileName(script)} gave no answer within {deadline.TotalSeconds:0} s");
        }
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"node {Path.GetFileName(script)} failed ({process.ExitCode}): {stderr.Result}");
        return stdout.Result;
    }
}
