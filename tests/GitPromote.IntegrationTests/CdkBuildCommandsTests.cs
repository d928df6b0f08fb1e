using System.Text.Json;
using System.Text.Json.Nodes;
using GitPromote.Cdk.Tests.Iam;
using Xunit.Abstractions;

namespace GitPromote.IntegrationTests;

/// <summary>
/// Every AWS call the committed gate and record builds (examples/cdk/templates) make, evaluated against the IAM of the
/// role that makes it. The builds themselves, in a sandbox with only the Lambda image's tools, are CommittedBuildspecTests.
/// </summary>
[Collection(InstalledCollection.Name)]
public sealed class CdkBuildCommandsTests(InstalledGitPromote installed, ITestOutputHelper output) : IDisposable
{
    private readonly Sandbox _s = new(installed);

    public void Dispose() => _s.Dispose();

    private const string ExampleService = "orders-service";

    /// <summary>
    /// Pins the policy the committed templates pin (with stg's health from the construct's HealthAlarms) under this test's
    /// service, and puts stg's alarms in moto, OK.
    /// </summary>
    private void PinCommittedPolicyWithStgAlarmsOk(AwsWorld aws)
    {
        var pinned = PinnedPolicyOfTheCommittedTemplates();
        Assert.Contains("health:", pinned);
        var policyFile = Path.Combine(_s.Root, "pinned.yml");
        File.WriteAllText(policyFile, pinned.Replace(ExampleService, aws.Service));
        aws.AwsCli("ssm", "put-parameter", "--name", $"/promote/{aws.Service}/policy", "--type", "String", "--value", $"file://{policyFile}").EnsureOk();
        foreach (var alarm in new[] { "orders-stg-5xx", "orders-stg-latency-p99" })
        {
            aws.AwsCli("cloudwatch", "put-metric-alarm", "--alarm-name", alarm, "--namespace", "orders", "--metric-name", alarm, "--statistic", "Sum",
                "--period", "60", "--evaluation-periods", "1", "--threshold", "1", "--comparison-operator", "GreaterThanThreshold").EnsureOk();
            aws.AwsCli("cloudwatch", "set-alarm-state", "--alarm-name", alarm, "--state-value", "OK", "--state-reason", "test").EnsureOk();
        }
    }

    /// <summary>The example's accounts (examples/cdk/ExampleApp.cs): the committed templates name them.</summary>
    private static readonly Dictionary<string, string> ExampleAccounts = new() { ["dev"] = "111111111111", ["stg"] = "222222222222", ["prd"] = "333333333333" };

    /// <summary>
    /// The committed gate and record builds, run as above but each with its own access key and every AWS request (S3,
    /// SSM, STS) through a recording proxy. Each recorded call is then evaluated with the IAM simulator against the
    /// policies, in the committed templates, of the role that signed it (the build's service role, or the role an
    /// AssumeRole answer gave that key to): a call the role may not make is the AccessDenied production would show first.
    /// </summary>
    [Fact]
    public void Every_AWS_call_of_the_committed_gate_and_record_builds_is_allowed_to_the_role_it_runs_as()
    {
        using var aws = new AwsWorld(_s);
        using var recorder = new RecordingProxy(SharedMoto.Server.DirectEndpoint);
        PinCommittedPolicyWithStgAlarmsOk(aws);
        var (bucket, key, sha256) = UploadReleaseTarball();
        var commit = new string('c', 40);
        var keys = new Dictionary<string, (string Environment, string Role)>
        {
            ["AKIADEVRECORDBUILD01"] = ("dev", "record"),
            ["AKIASTGGATEBUILD0001"] = ("stg", "gate-build"),
            ["AKIASTGRECORDBUILD01"] = ("stg", "record"),
            ["AKIAPRDGATEBUILD0001"] = ("prd", "gate-build"),
        };
        Run As(string accessKey, string command, Dictionary<string, string?> variables)
        {
            variables["AWS_ACCESS_KEY_ID"] = accessKey;
            variables["AWS_SECRET_ACCESS_KEY"] = "build-role-secret";
            variables["AWS_SESSION_TOKEN"] = null;
            variables["AWS_REGION"] = AwsWorld.Region;
            return RunBuild(Build(command).Commands, bucket, key, sha256, aws.Service, variables, recorder.Endpoint);
        }

        var recordDev = As("AKIADEVRECORDBUILD01", "git promote record dev ", new() { ["PROMOTE_COMMIT"] = commit });
        var gateStg = As("AKIASTGGATEBUILD0001", "git promote gate stg ", new()
        {
            ["PROMOTE_COMMIT"] = commit,
            ["PROMOTE_AWS_ROLE_DEV"] = $"arn:aws:iam::{AwsWorld.Account}:role/promote-{aws.Service}-dev-evidence-reader",
        });
        var recordStg = As("AKIASTGRECORDBUILD01", "git promote record stg ", new() { ["PROMOTE_COMMIT"] = commit });
        Assert.True(recordDev.ExitCode == 0, recordDev.Output);
        Assert.True(gateStg.ExitCode == 0, gateStg.Output);
        Assert.True(recordStg.ExitCode == 0, recordStg.Output);
        // prd's gate reads stg's health through stg's reader. It refuses (the alarms have been OK for less than healthy_for, and prd
        // needs an approval), but for those reasons only: every read it made was answered.
        var gatePrd = As("AKIAPRDGATEBUILD0001", "git promote gate prd ", new()
        {
            ["PROMOTE_COMMIT"] = commit,
            ["PROMOTE_AWS_ROLE_STG"] = $"arn:aws:iam::{AwsWorld.Account}:role/promote-{aws.Service}-stg-evidence-reader",
        });
        Assert.True(gatePrd.ExitCode != 0, gatePrd.Output);
        Assert.Contains("orders-stg-5xx has been OK for", gatePrd.Output);
        Assert.DoesNotContain("????", gatePrd.Output);

        var templates = ExampleAccounts.Keys.ToDictionary(e => e, e => new ResolvedTemplate(
            (JsonObject)JsonNode.Parse(File.ReadAllText(Path.Combine(TestSupport.RepositoryRoot.Path, "examples", "cdk", "templates",
                $"{ExampleService}-{e}.template.json")))!,
            ExampleAccounts[e], new Dictionary<string, string>
            {
                ["GitPromoteBinaryBucket"] = bucket,
                ["GitPromoteBinaryKey"] = key,
                ["GitPromoteBinarySha256"] = sha256,
            }));
        TemplateRole RoleOf(string environment, string kind)
        {
            var t = templates[environment];
            if (kind == "record")
            {
                var arn = t.Properties(t.ProjectRunning("git promote record"))["ServiceRole"]!.GetValue<string>();
                return t.Roles().Single(r => r.Arn == arn);
            }
            return t.Roles().Single(r => r.Arn.EndsWith($"/promote-{ExampleService}-{environment}-{kind}", StringComparison.Ordinal));
        }
        (string Environment, TemplateRole Role) Signer(string accessKey)
        {
            if (keys.TryGetValue(accessKey, out var k)) return (k.Environment, RoleOf(k.Environment, k.Role));
            var assumed = recorder.AssumedKeys.TryGetValue(accessKey, out var arn) ? arn
                : throw new InvalidOperationException($"no role is known for the key {accessKey}");
            var match = System.Text.RegularExpressions.Regex.Match(arn, $@":role/promote-{aws.Service}-([a-z]+)-(evidence-reader)$");
            Assert.True(match.Success, $"a build assumed {arn}, which is no role of the construct");
            return (match.Groups[1].Value, RoleOf(match.Groups[1].Value, match.Groups[2].Value));
        }

        var calls = recorder.Calls;
        var simulations = new List<(RecordedCall Call, string Role, Simulation Simulation)>();
        foreach (var call in calls)
        {
            var (environment, role) = Signer(call.AccessKey);
            // IAM cannot deny sts:GetCallerIdentity: it needs no permission (git-promote asks it for "recordedBy").
            if (call.Action == "sts:GetCallerIdentity")
            {
                output.WriteLine($"{environment} {role.Id}: sts:GetCallerIdentity (needs no permission)");
                continue;
            }
            var account = ExampleAccounts[environment];
            foreach (var resource in call.Resources.DefaultIfEmpty(""))
            {
                var named = resource.Replace(aws.Service, ExampleService);
                var (arn, trust) = call.Action switch
                {
                    var a when a.StartsWith("ssm:", StringComparison.Ordinal) =>
                        ($"arn:aws:ssm:{AwsWorld.Region}:{account}:parameter/{named.TrimStart('/')}", (JsonNode?)null),
                    var a when a.StartsWith("codepipeline:", StringComparison.Ordinal) => ($"arn:aws:codepipeline:{AwsWorld.Region}:{account}:{named}", null),
                    var a when a.StartsWith("s3:", StringComparison.Ordinal) => ($"arn:aws:s3:::{named}", null),
                    var a when a.StartsWith("cloudwatch:", StringComparison.Ordinal) => ($"arn:aws:cloudwatch:{AwsWorld.Region}:{account}:alarm:{named}", null),
                    "sts:AssumeRole" => AssumedRole(named),
                    _ => throw new InvalidOperationException($"the recorder saw a call it cannot name a resource for: {call}"),
                };
                simulations.Add((call, $"{environment} {role.Id}", new Simulation(new IamRequest(role.Arn, call.Action, arn), role.Policies, trust)));
            }
        }
        (string, JsonNode?) AssumedRole(string roleArn)
        {
            var m = System.Text.RegularExpressions.Regex.Match(roleArn,
                $@"^arn:aws:iam::{AwsWorld.Account}:role/promote-{ExampleService}-([a-z]+)-evidence-reader$");
            Assert.True(m.Success, $"a build assumed {roleArn}");
            var reader = RoleOf(m.Groups[1].Value, "evidence-reader");
            return (reader.Arn, reader.Trust);
        }

        var answers = new IamSimulator().Run(simulations.Select(s => s.Simulation).ToList());
        foreach (var group in simulations.Select((s, i) => (s, answers[i])).GroupBy(x => x.s.Role))
        {
            output.WriteLine(group.Key);
            foreach (var (s, answer) in group) output.WriteLine($"  {answer.Result,-16} {s.Call.Action} {s.Simulation.Request.Resource}");
        }
        Assert.Contains(simulations, s => s.Call.Action == "sts:AssumeRole");
        Assert.Contains(simulations, s => s.Call.Action == "ssm:PutParameter" && s.Role.StartsWith("stg ", StringComparison.Ordinal));
        Assert.Contains(simulations, s => s.Call.Action == "s3:GetObject");
        Assert.Contains(simulations, s => s.Call.Action == "cloudwatch:DescribeAlarms"
            && s.Role.StartsWith("stg PromotedEvidenceReaderRole", StringComparison.Ordinal));
        var denied = simulations.Where((s, i) => !answers[i].Allowed).Select(s => $"{s.Role}: {s.Call.Action} {s.Simulation.Request.Resource}").ToList();
        Assert.True(denied.Count == 0, "calls the role may not make (AccessDenied in production):\n  " + string.Join("\n  ", denied));

        // The check can fail: without its RecordGreenAndDeployments statement, stg's record role may not make the call the build made.
        var put = simulations.First(s => s.Call.Action == "ssm:PutParameter" && s.Role.StartsWith("stg ", StringComparison.Ordinal)).Simulation;
        var narrowed = put.Identity.Select(p =>
        {
            var document = p.Document.DeepClone();
            var statements = document["Statement"]!.AsArray();
            foreach (var green in statements.Where(x => x!["Sid"]?.GetValue<string>() == "RecordGreenAndDeployments").ToList()) statements.Remove(green);
            return new NamedPolicy(p.Name, document);
        }).ToList();
        Assert.False((put with { Identity = narrowed }).Allowed(new IamSimulator()));
        // And without ReadHealthAlarms, stg's reader may not read the alarms prd's gate read through it.
        var describe = simulations.First(s => s.Call.Action == "cloudwatch:DescribeAlarms").Simulation;
        Assert.False((describe with { Identity = Without(describe.Identity, "ReadHealthAlarms") }).Allowed(new IamSimulator()));
    }

    private static List<NamedPolicy> Without(IEnumerable<NamedPolicy> identity, string sid) => identity.Select(p =>
    {
        var document = p.Document.DeepClone();
        var statements = document["Statement"]!.AsArray();
        foreach (var statement in statements.Where(x => x!["Sid"]?.GetValue<string>() == sid).ToList()) statements.Remove(statement);
        return new NamedPolicy(p.Name, document);
    }).ToList();

    /// <summary>The policy text the committed example templates publish to /promote/&lt;name&gt;/policy (the same in all three).</summary>
    private static string PinnedPolicyOfTheCommittedTemplates()
    {
        using var template = JsonDocument.Parse(File.ReadAllText(Path.Combine(TestSupport.RepositoryRoot.Path, "examples", "cdk", "templates",
            $"{ExampleService}-prd.template.json")));
        return template.RootElement.GetProperty("Resources").EnumerateObject()
            .Single(r => r.Value.GetProperty("Type").GetString() == "AWS::SSM::Parameter").Value.GetProperty("Properties").GetProperty("Value").GetString()!;
    }

    private (string Bucket, string Key, string Sha256) UploadReleaseTarball()
    {
        var bucket = "promote-" + Guid.NewGuid().ToString("N")[..12];
        var key = "assets/git-promote-linux-x64.tar.gz";
        var env = MotoS3();
        _s.Exec(_s.Root, "aws", ["s3api", "create-bucket", "--bucket", bucket, "--create-bucket-configuration", "LocationConstraint=eu-west-1"],
            env: env).EnsureOk();
        var tarball = ReleaseTarball();
        _s.Exec(_s.Root, "aws", ["s3", "cp", "--only-show-errors", tarball, $"s3://{bucket}/{key}"], env: env).EnsureOk();
        return (bucket, key, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(tarball))));
    }

    private static Dictionary<string, string?> MotoS3() => new()
    {
        ["AWS_ENDPOINT_URL"] = SharedMoto.Server.DirectEndpoint.ToString(),
        ["AWS_ACCESS_KEY_ID"] = "testing",
        ["AWS_SECRET_ACCESS_KEY"] = "testing",
        ["AWS_DEFAULT_REGION"] = "eu-west-1",
        ["AWS_EC2_METADATA_DISABLED"] = "true",
    };

    /// <summary>All commands of a build in one shell, as CodeBuild runs a phase, in an empty source folder (no .git).</summary>
    private Run RunBuild(IEnumerable<string> commands, string bucket, string key, string sha256, string service, Dictionary<string, string?> variables,
        Uri? allAwsThrough = null)
    {
        var build = Path.Combine(_s.Root, "codebuild-" + Guid.NewGuid().ToString("N")[..8]);
        var source = Path.Combine(build, "src");
        Directory.CreateDirectory(source);
        // S3 (the download) straight to moto; SSM and STS keep the world's counting endpoints, which are more specific.
        var env = new Dictionary<string, string?>(variables)
        {
            ["AWS_ENDPOINT_URL"] = SharedMoto.Server.DirectEndpoint.ToString(),
            ["AWS_DEFAULT_REGION"] = AwsWorld.Region,
            ["GIT_PROMOTE_BUCKET"] = bucket,
            ["GIT_PROMOTE_KEY"] = key,
            ["GIT_PROMOTE_SHA256"] = sha256,
            ["TMPDIR"] = build,
            ["PATH"] = System.Environment.GetEnvironmentVariable("PATH"),
        };
        if (allAwsThrough is not null)
        {
            env["AWS_ENDPOINT_URL"] = env["AWS_ENDPOINT_URL_SSM"] = env["AWS_ENDPOINT_URL_STS"] = env["AWS_ENDPOINT_URL_CLOUDWATCH"] = allAwsThrough.ToString();
            foreach (var (name, value) in variables) env[name] = value;
        }
        var script = string.Concat(commands.Select(c => $"{{ {c.Replace(ExampleService, service)}; }} || exit $?\n"));
        return _s.Exec(source, "/bin/sh", ["-c", script], env: env);
    }

    /// <summary>The build commands and variable names of the committed CodeBuild project whose last command starts with <paramref
    /// name="commandOfTheBuild"/>.</summary>
    private static (string[] Commands, string[] Variables) Build(string commandOfTheBuild)
    {
        var templates = Path.Combine(TestSupport.RepositoryRoot.Path, "examples", "cdk", "templates");
        foreach (var file in Directory.GetFiles(templates, "*.template.json"))
        {
            using var template = JsonDocument.Parse(File.ReadAllText(file));
            foreach (var resource in template.RootElement.GetProperty("Resources").EnumerateObject())
            {
                if (resource.Value.GetProperty("Type").GetString() != "AWS::CodeBuild::Project") continue;
                var properties = resource.Value.GetProperty("Properties");
                var spec = properties.GetProperty("Source").GetProperty("BuildSpec");
                if (spec.ValueKind != JsonValueKind.String) continue;
                using var parsed = JsonDocument.Parse(spec.GetString()!);
                var commands = parsed.RootElement.GetProperty("phases").GetProperty("build").GetProperty("commands").EnumerateArray().Select(c =>
                    c.GetString()!).ToArray();
                if (!commands[^1].StartsWith(commandOfTheBuild, StringComparison.Ordinal)) continue;
                var variables = properties.GetProperty("Environment").TryGetProperty("EnvironmentVariables", out var v)
                    ? v.EnumerateArray().Select(e => e.GetProperty("Name").GetString()!).ToArray() : [];
                return (commands, variables);
            }
        }
        throw new InvalidOperationException($"no build in {templates} runs '{commandOfTheBuild}'");
    }

    /// <summary>git-promote-VERSION-linux-x64.tar.gz as the release packs it: a top folder with bin/git-promote and libgit2 beside it.</summary>
    private string ReleaseTarball()
    {
        var top = Path.Combine(_s.Root, "release", "git-promote-linux-x64");
        var bin = Path.Combine(top, "bin");
        Directory.CreateDirectory(bin);
        foreach (var file in Directory.GetFiles(Path.Combine(installed.Prefix, "bin")))
            File.Copy(file, Path.Combine(bin, Path.GetFileName(file)));
        var tarball = Path.Combine(_s.Root, "release", "git-promote-linux-x64.tar.gz");
        _s.Exec(Path.Combine(_s.Root, "release"), "tar", ["-czf", tarball, "git-promote-linux-x64"]).EnsureOk();
        return tarball;
    }
}
