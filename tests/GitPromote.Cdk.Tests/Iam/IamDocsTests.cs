using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using static GitPromote.Cdk.Tests.Iam.ExampleAccounts;

namespace GitPromote.Cdk.Tests.Iam;

/// <summary>
/// The IAM JSON of docs/aws.md, for teams that write their roles by hand, cannot drift from the construct: each block
/// between <c>&lt;!-- iam: KEY --&gt;</c> and <c>&lt;!-- end iam --&gt;</c> is what the construct gives that role in the
/// committed example templates (accounts and region as placeholders), and is rewritten from them with
/// GIT_PROMOTE_WRITE_README=1. The blocks as written in the docs are then evaluated with the IAM simulator for the calls a
/// push, a record and a gate make, so a block that no longer allows them fails here even if someone edits it by hand.
/// </summary>
public sealed partial class IamDocsTests
{
    private const string RewriteVariable = "GIT_PROMOTE_WRITE_README";
    private const string Sha = "0123456789abcdef0123456789abcdef01234567";
    private static readonly IamSimulator Simulator = new();
    private static string DocsPath => Path.Combine(GitPromote.TestSupport.RepositoryRoot.Path, "docs", "aws.md");

    /// <summary>What CodeBuild itself needs of the construct's builds (its log group, the artifact, the tarball): not git-promote's calls.</summary>
    private static readonly string[] BuildPlumbing = ["WriteBuildLogs", "ReadSourceArtifact", "ReadGitPromoteBinary"];

    /// <summary>Every generated block: its key in the docs, and the policy the construct gives that role in the example.</summary>
    private static IReadOnlyDictionary<string, Func<JsonNode>> Blocks { get; } = new Dictionary<string, Func<JsonNode>>
    {
        ["developer-stg"] = () => Document(Managed("stg", "-developer")),
        ["developer-prd"] = () => Document(Managed("prd", "-developer")),
        ["record-stg"] = () => Document(Role("stg", "record-build")),
        ["gate-stg"] = () => Document(Role("stg", "gate-build")),
        ["reader-dev"] = () => Document(Role("dev", "evidence-reader")),
        ["reader-dev-trust"] = () => Document(Deployed("dev").Roles().Single(r => r.Arn.EndsWith($"/promote-{Service}-dev-evidence-reader",
            StringComparison.Ordinal)).Trust["Statement"]!.AsArray().Select(s => s!)),
    };

    [Fact]
    public void The_iam_blocks_of_docs_aws_md_are_what_the_construct_synthesizes()
    {
        var docs = File.ReadAllText(DocsPath).ReplaceLineEndings("\n");
        var written = Rewrite(docs);
        var missing = Blocks.Keys.Where(k => !docs.Contains($"<!-- iam: {k} -->", StringComparison.Ordinal)).ToList();
        Assert.True(missing.Count == 0, $"docs/aws.md has no block <!-- iam: {string.Join(" -->, <!-- iam: ", missing)} -->");
        if (written == docs) return;
        if (Environment.GetEnvironmentVariable(RewriteVariable) == "1")
        {
            File.WriteAllText(DocsPath, written);
            return;
        }
        Assert.Fail("the IAM JSON of docs/aws.md differs from what the construct synthesizes (examples/cdk/templates).\n" +
            $"Regenerate it: {RewriteVariable}=1 dotnet test tests/GitPromote.Cdk.Tests --filter {nameof(IamDocsTests)}");
    }

    /// <summary>The calls each documented role makes, evaluated under the block as the docs write it.</summary>
    [Fact]
    public void The_documented_policies_allow_the_calls_of_a_push_a_record_and_a_gate_and_nothing_of_what_they_must_not()
    {
        var cases = new List<(string Name, bool Allowed, Simulation Simulation)>();
        var developerStg = Documented("developer-stg");
        var developerPrd = Documented("developer-prd");
        var record = Documented("record-stg");
        var gate = Documented("gate-stg");
        var reader = Documented("reader-dev");
        var trust = Documented("reader-dev-trust");
        var person = $"arn:aws:iam::{Account("stg")}:role/developer";
        var personPrd = $"arn:aws:iam::{Account("prd")}:role/developer";
        var gateRole = $"arn:aws:iam::{Account("stg")}:role/git-promote/promote-{Service}-stg-gate-build";
        var recordRole = $"arn:aws:iam::{Account("stg")}:role/git-promote/promote-{Service}-stg-record-build";
        var readerRole = $"arn:aws:iam::{Account("dev")}:role/promote-{Service}-dev-evidence-reader";
        void Case(string name, bool allowed, string principal, JsonNode policy, string action, string resource,
            IReadOnlyDictionary<string, string>? context = null, JsonNode? resourcePolicy = null) =>
            cases.Add((name, allowed, new Simulation(new IamRequest(principal, action, resource, context), [new NamedPolicy(name, policy)], resourcePolicy)));

        // A push to prd asks stg, in one GetParameters batch, for green/<sha> and revoked/<sha>: SSM authorizes every name of it.
        foreach (var folder in new[] { "green", "revoked" })
            Case($"push to prd reads stg {folder}/<sha> (GetParameters batch)", true, person, developerStg, "ssm:GetParameters", Evidence("stg", folder, Sha));
        Case("status lists stg's green commits", true, person, developerStg, "ssm:GetParametersByPath", Parameter("stg", $"promote/{Service}/stg/green"));
        Case("a bypass push to stg records the bypass", true, person, developerStg, "ssm:PutParameter",
            Evidence("stg", "bypass", $"20260101T000000Z-{Sha}-ab12"), Overwrite(false));
        Case("a developer rewrites a stg bypass", false, person, developerStg, "ssm:PutParameter",
            Evidence("stg", "bypass", $"20260101T000000Z-{Sha}-ab12"), Overwrite(true));
        Case("a developer writes stg green", false, person, developerStg, "ssm:PutParameter", Evidence("stg", "green", Sha), Overwrite(true));
        Case("a developer writes a stg revocation", false, person, developerStg, "ssm:PutParameter", Evidence("stg", "revoked", Sha), Overwrite(false));
        // ...and prd, the target, for its own green (rollback), revocations and approvals of the commit.
        foreach (var folder in new[] { "green", "revoked", "approval" })
            Case($"push to prd reads prd {folder}/<sha> (GetParameters batch)", true, personPrd, developerPrd, "ssm:GetParameters",
                Evidence("prd", folder, Sha));
        Case("push to prd lists the approvals of the commit", true, personPrd, developerPrd, "ssm:GetParametersByPath",
            Parameter("prd", $"promote/{Service}/prd/approval/{Sha}"));
        Case("git promote approve prd", true, personPrd, developerPrd, "ssm:PutParameter", Evidence("prd", "approval", $"{Sha}/ada"), Overwrite(false));
        Case("a developer overwrites a prd approval", false, personPrd, developerPrd, "ssm:PutParameter", Evidence("prd", "approval", $"{Sha}/ada"),
            Overwrite(true));
        Case("push to prd asks who wrote an approval (GetParameterHistory)", true, personPrd, developerPrd, "ssm:GetParameterHistory",
            Evidence("prd", "approval", $"{Sha}/ada"));
        foreach (var folder in new[] { "bypass", "revoked", "revoked-lifted", "deploy" })
            Case($"audit reads the history of a prd {folder} record", true, personPrd, developerPrd, "ssm:GetParameterHistory",
                Evidence("prd", folder, $"20260101T000000Z-{Sha}-ab12"));
        Case("a developer reads the history of green", false, personPrd, developerPrd, "ssm:GetParameterHistory", Evidence("prd", "green", Sha));
        Case("git promote history lists prd", true, personPrd, developerPrd, "ssm:GetParametersByPath", Parameter("prd", $"promote/{Service}/prd"));
        Case("a developer writes the pinned policy", false, personPrd, developerPrd, "ssm:PutParameter", PolicyParameter("prd"), Overwrite(true));

        // record stg: the pinned policy, the commit's green and revocations, the bypass and deployment listings; writes green and one event.
        Case("record reads the pinned policy", true, recordRole, record, "ssm:GetParameter", PolicyParameter("stg"));
        foreach (var folder in new[] { "green", "revoked", "revoked-lifted" })
            Case($"record reads {folder}/<sha> (GetParameters batch)", true, recordRole, record, "ssm:GetParameters", Evidence("stg", folder, Sha));
        foreach (var folder in new[] { "bypass", "deploy" })
            Case($"record lists {folder}", true, recordRole, record, "ssm:GetParametersByPath", Parameter("stg", $"promote/{Service}/stg/{folder}"));
        Case("record writes green", true, recordRole, record, "ssm:PutParameter", Evidence("stg", "green", Sha), Overwrite(true));
        Case("record writes a deployment event", true, recordRole, record, "ssm:PutParameter",
            Evidence("stg", "deploy", $"20260101T000000.000Z-{Sha}-ab12"), Overwrite(false));
        Case("record rewrites a deployment event", false, recordRole, record, "ssm:PutParameter",
            Evidence("stg", "deploy", $"20260101T000000.000Z-{Sha}-ab12"), Overwrite(true));
        Case("record writes a bypass", false, recordRole, record, "ssm:PutParameter", Evidence("stg", "bypass", $"20260101T000000Z-{Sha}-ab12"));
        Case("record reads approvals", false, recordRole, record, "ssm:GetParameters", Evidence("stg", "approval", Sha));

        // gate stg: the pinned policy and its own records, and dev's evidence through dev's reader.
        Case("gate reads the pinned policy", true, gateRole, gate, "ssm:GetParameter", PolicyParameter("stg"));
        foreach (var folder in new[] { "green", "revoked", "approval" })
            Case($"gate reads stg {folder}/<sha> (GetParameters batch)", true, gateRole, gate, "ssm:GetParameters", Evidence("stg", folder, Sha));
        Case("gate lists stg's bypasses", true, gateRole, gate, "ssm:GetParametersByPath", Parameter("stg", $"promote/{Service}/stg/bypass"));
        Case("gate writes green", false, gateRole, gate, "ssm:PutParameter", Evidence("stg", "green", Sha));
        Case("gate asks who wrote an approval (GetParameterHistory)", true, gateRole, gate, "ssm:GetParameterHistory",
            Evidence("stg", "approval", $"{Sha}/ada"));
        Case("record overwrites a revocation", false, recordRole, record, "ssm:PutParameter", Evidence("stg", "revoked", Sha), Overwrite(true));
        Case("the stg gate assumes dev's reader", true, gateRole, gate, "sts:AssumeRole", readerRole, resourcePolicy: trust);
        Case("the stg record role assumes dev's reader", false, recordRole, record, "sts:AssumeRole", readerRole, resourcePolicy: trust);
        foreach (var folder in new[] { "green", "revoked" })
            Case($"dev's reader reads {folder}/<sha> (GetParameters batch)", true, readerRole, reader, "ssm:GetParameters", Evidence("dev", folder, Sha));
        Case("dev's reader reads bypasses", false, readerRole, reader, "ssm:GetParameters", Evidence("dev", "bypass", Sha));
        Case("dev's reader reads the pinned policy", false, readerRole, reader, "ssm:GetParameter", PolicyParameter("dev"));

        var answers = Simulator.Run(cases.Select(c => c.Simulation).ToList());
        var wrong = cases.Where((c, i) => answers[i].Allowed != c.Allowed)
            .Select(c => $"{(c.Allowed ? "should be allowed" : "should be denied")}: {c.Name} ({IamSimulator.Describe(c.Simulation)})").ToList();
        Assert.True(wrong.Count == 0, $"docs/aws.md's IAM does not do what the construct's does:\n  " + string.Join("\n  ", wrong));
    }

    /// <summary>
    /// The hand-written bucket policy of one release bucket (another account's) read by three accounts: each account's
    /// gate, record and prune build roles get the tarball through it with their own policies; no other role of those
    /// accounts does, even one allowed s3:GetObject on everything; nobody writes it.
    /// </summary>
    [Fact]
    public void The_documented_release_bucket_policy_lets_each_accounts_builds_read_the_tarball_and_no_one_else()
    {
        const string tools = "444444444444";
        var bucket = Documented("release-bucket");
        var tarball = "arn:aws:s3:::platform-artifacts/git-promote/git-promote-linux-x64.tar.gz";
        var anything = new NamedPolicy("S3Everything",
            JsonNode.Parse("""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}""")!);
        var cases = new List<(string Name, bool Allowed, Simulation Simulation)>();
        foreach (var env in Environments)
        {
            var t = Deployed(env);
            foreach (var build in new[] { "gate-build", "record-build", "prune-build" })
            {
                if (t.Roles().SingleOrDefault(r => r.Arn.EndsWith($"/promote-{Service}-{env}-{build}", StringComparison.Ordinal)) is not { } role) continue;
                cases.Add(($"{env} {build} reads the tarball", true,
                    new Simulation(new IamRequest(role.Arn, "s3:GetObject", tarball, ResourceAccount: tools), role.Policies, bucket)));
                cases.Add(($"{env} {build} replaces the tarball", false,
                    new Simulation(new IamRequest(role.Arn, "s3:PutObject", tarball, ResourceAccount: tools), [.. role.Policies, anything], bucket)));
            }
            var deployRole = $"arn:aws:iam::{Account(env)}:role/{Service}-{env}-deploy";
            cases.Add(($"{env}'s other roles read the tarball", false,
                new Simulation(new IamRequest(deployRole, "s3:GetObject", tarball, ResourceAccount: tools), [anything], bucket)));
        }
        var outsider = "arn:aws:iam::555555555555:role/git-promote/promote-orders-service-stg-gate-build";
        cases.Add(("the same role name in another account reads the tarball", false,
            new Simulation(new IamRequest(outsider, "s3:GetObject", tarball, ResourceAccount: tools), [anything], bucket)));
        Assert.Equal(8, cases.Count(c => c.Allowed)); // dev has no gate: 2 + 3 + 3 build roles
        var answers = Simulator.Run(cases.Select(c => c.Simulation).ToList());
        var wrong = cases.Where((c, i) => answers[i].Allowed != c.Allowed)
            .Select(c => $"{(c.Allowed ? "should be allowed" : "should be denied")}: {c.Name}").ToList();
        Assert.True(wrong.Count == 0, "docs/aws.md's release bucket policy:\n  " + string.Join("\n  ", wrong));
    }

    /// <summary>The docs with every block rewritten from the templates.</summary>
    private static string Rewrite(string docs) => Block().Replace(docs, m =>
        Blocks.TryGetValue(m.Groups["key"].Value, out var generate)
            ? $"<!-- iam: {m.Groups["key"].Value} -->\n```json\n{Format(generate())}\n```\n<!-- end iam -->"
            : m.Value);

    /// <summary>A block as the docs write it, with the placeholders filled in with the example's accounts and region.</summary>
    private static JsonNode Documented(string key)
    {
        var docs = File.ReadAllText(DocsPath).ReplaceLineEndings("\n");
        var block = Block().Matches(docs).SingleOrDefault(m => m.Groups["key"].Value == key)
            ?? throw new Xunit.Sdk.XunitException($"docs/aws.md has no block <!-- iam: {key} -->");
        var json = JsonFence().Match(block.Groups["body"].Value);
        Assert.True(json.Success, $"the block {key} of docs/aws.md holds no ```json fence");
        var text = json.Groups[1].Value.Replace("REGION", ResolvedTemplate.Region, StringComparison.Ordinal);
        foreach (var env in Environments) text = text.Replace($"{env.ToUpperInvariant()}_ACCOUNT", Account(env), StringComparison.Ordinal);
        return JsonNode.Parse(text)!;
    }

    private static IEnumerable<JsonNode> Managed(string env, string suffix)
    {
        var t = Deployed(env);
        var id = t.OfType("AWS::IAM::ManagedPolicy").Single(p => t.Name(p).EndsWith(suffix, StringComparison.Ordinal));
        return t.ManagedPolicy(id).Document["Statement"]!.AsArray().Select(s => s!);
    }

    private static IEnumerable<JsonNode> Role(string env, string suffix) =>
        Deployed(env).Roles().Single(r => r.Arn.EndsWith($"/promote-{Service}-{env}-{suffix}", StringComparison.Ordinal)).Policies
            .SelectMany(p => p.Document["Statement"]!.AsArray().Select(s => s!))
            .Where(s => !BuildPlumbing.Contains(s["Sid"]?.GetValue<string>()));

    /// <summary>A policy document of the statements, each with its keys in the order people read them: Sid, Effect, Action, Resource, Condition.</summary>
    private static JsonNode Document(IEnumerable<JsonNode> statements) => Placeholders(new JsonObject
    {
        ["Version"] = "2012-10-17",
        ["Statement"] = new JsonArray(statements.Select(s =>
        {
            var ordered = new JsonObject();
            foreach (var key in new[] { "Sid", "Effect", "Principal", "Action", "Resource", "Condition" })
                if (s[key] is { } value) ordered[key] = value.DeepClone();
            return (JsonNode)ordered;
        }).ToArray()),
    });

    /// <summary>The example's accounts and region as the placeholders the docs use (DEV_ACCOUNT, ..., REGION).</summary>
    private static JsonNode Placeholders(JsonNode node)
    {
        var text = node.ToJsonString().Replace($":{ResolvedTemplate.Region}:", ":REGION:", StringComparison.Ordinal);
        foreach (var env in Environments) text = text.Replace(Account(env), $"{env.ToUpperInvariant()}_ACCOUNT", StringComparison.Ordinal);
        return JsonNode.Parse(text)!;
    }

    private static string Format(JsonNode node) => node.ToJsonString(new JsonSerializerOptions
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    }).ReplaceLineEndings("\n");

    private static Dictionary<string, string> Overwrite(bool value) => new() { ["ssm:Overwrite"] = value ? "true" : "false" };

    [GeneratedRegex(@"<!-- iam: (?<key>[a-z0-9-]+) -->\n(?<body>.*?)<!-- end iam -->", RegexOptions.Singleline)]
    private static partial Regex Block();

    [GeneratedRegex(@"```json\n(.*?)\n```", RegexOptions.Singleline)]
    private static partial Regex JsonFence();
}
