using GitPromote.TestSupport;

namespace GitPromote.IntegrationTests;

/// <summary>
/// Revocations and approvals kept in SSM (the moto emulator), through the installed hook and binary: identities are the
/// AWS callers (STS GetCallerIdentity), so a second person is a second IAM user with keys of their own.
/// </summary>
[Collection(InstalledCollection.Name)]
public sealed class GuardrailSsmTests : IDisposable
{
    private const string Region = "eu-west-1";
    private static readonly Lazy<MotoServer> Moto = new(() =>
    {
        var server = MotoServer.StartAsync().GetAwaiter().GetResult();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => server.Dispose();
        return server;
    });

    private readonly Sandbox _s;
    private readonly string _service = "svc-" + Guid.NewGuid().ToString("N")[..12];

    public GuardrailSsmTests(InstalledGitPromote installed)
    {
        _s = new Sandbox(installed);
        // Through the proxy in front of moto: it stamps each GetParameterHistory version with the ARN of the key that wrote it, as SSM does
        // (moto answers "N/A"; see TestSupport/SsmWriterStamps.cs), so an approval is attributed to its real writer here.
        var endpoint = Moto.Value.Endpoint.ToString();
        _s.Environment["AWS_ENDPOINT_URL_SSM"] = endpoint;
        _s.Environment["AWS_ENDPOINT_URL_STS"] = endpoint;
        _s.Environment["AWS_EC2_METADATA_DISABLED"] = "true";
        _s.Environment["AWS_ACCESS_KEY_ID"] = "testing";
        _s.Environment["AWS_SECRET_ACCESS_KEY"] = "testing";
    }

    public void Dispose() => _s.Dispose();

    private string Policy(string prdExtra = "") => $"""
        version: 1
        name: {_service}
        environments:
          - name: dev
            remotes: [dev]
          - name: stg
            remotes: [stg]
            aws: {"{ region: eu-west-1 }"}
            evidence:
              - ssm: {"{}"}
          - name: prd
            remotes: [prd]
            aws: {"{ region: eu-west-1 }"}
            evidence:
              - ssm: {"{}"}
        {prdExtra}
        """;

    private string PromoteToStg(string app)
    {
        var head = _s.Git(app, "rev-parse", "HEAD").Stdout.Trim();
        _s.Git(app, "push", "dev", "main").EnsureOk();
        _s.Record(app, "dev", "HEAD").EnsureOk();
        _s.Git(app, "push", "stg", "main").EnsureOk();
        _s.Record(app, "stg", "HEAD").EnsureOk();
        return head;
    }

    private Run Aws(IDictionary<string, string?>? keys, params string[] args)
    {
        var env = new Dictionary<string, string?>
        {
            ["AWS_ENDPOINT_URL"] = Moto.Value.Endpoint.ToString(),
            ["AWS_DEFAULT_REGION"] = Region,
            ["AWS_PAGER"] = "",
        };
        foreach (var (k, v) in keys ?? new Dictionary<string, string?>()) env[k] = v;
        return _s.Exec(_s.Root, "aws", args, env: env);
    }

    /// <summary>A second person: an IAM user of their own in moto, with keys.</summary>
    private Dictionary<string, string?> NewUser(string name)
    {
        Aws(null, "iam", "create-user", "--user-name", name).EnsureOk();
        var keys = Aws(null, "iam", "create-access-key", "--user-name", name, "--query", "AccessKey.[AccessKeyId,SecretAccessKey]", "--output", "text")
            .EnsureOk().Stdout.Trim().Split('\t');
        return new() { ["AWS_ACCESS_KEY_ID"] = keys[0], ["AWS_SECRET_ACCESS_KEY"] = keys[1] };
    }

    [Fact]
    public void A_commit_revoked_in_ssm_cannot_be_promoted_until_record_force_lifts_it()
    {
        var app = _s.Project(Policy());
        var head = PromoteToStg(app);

        var revoke = _s.Promote(app, "revoke", "stg", "--reason", "canary alarm").EnsureOk();
        Assert.Contains($"revoked: {head[..12]} in stg by arn:aws:sts::123456789012:user/moto (ssm /promote/{_service}/stg): canary alarm", revoke.Stdout);
        Assert.Contains("\"reason\":\"canary alarm\"",
            Aws(null, "ssm", "get-parameter", "--name", $"/promote/{_service}/stg/revoked/{head}", "--query", "Parameter.Value", "--output",
                "text").EnsureOk().Stdout);

        var push = _s.Git(app, "push", "prd", "main");
        Assert.NotEqual(0, push.ExitCode);
        Assert.Contains($"[revocation] {head[..12]} is revoked in stg by arn:aws:sts::123456789012:user/moto at", push.Stderr);

        _s.Record(app, "stg", "HEAD").EnsureExit(1);
        _s.Record(app, "stg", "HEAD", "--force").EnsureOk();
        _s.Git(app, "push", "prd", "main").EnsureOk();
        Assert.NotEqual(0, Aws(null, "ssm", "get-parameter", "--name", $"/promote/{_service}/stg/revoked/{head}").ExitCode);
        var audit = _s.Promote(app, "audit", "stg").EnsureOk().Stdout;
        Assert.Contains("REVOKED by arn:aws:sts::123456789012:user/moto  \"canary alarm\"", audit);
        Assert.Contains("revocation lifted by arn:aws:sts::123456789012:user/moto", audit);
    }

    [Fact]
    public void A_push_into_an_ssm_environment_needs_an_approval_from_another_aws_identity()
    {
        var app = _s.Project(Policy(prdExtra: "    approvals: { required: 1 }"));
        var head = PromoteToStg(app);

        _s.Promote(app, "approve", "prd").EnsureOk();
        var own = _s.Git(app, "push", "prd", "main");
        Assert.NotEqual(0, own.ExitCode);
        Assert.Contains("[approvals] 0 of 1 approval from others; your own does not count", own.Stderr);

        var reviewer = "reviewer-" + Guid.NewGuid().ToString("N")[..6];
        var approve = _s.Exec(app, _s.Installed.BinaryPath, ["approve", "prd", "--comment", "change ticket CHG-7"], env: NewUser(reviewer)).EnsureOk();
        Assert.Contains($"approved: {head[..12]} for prd by arn:aws:iam::123456789012:user/{reviewer}", approve.Stdout);

        var push = _s.Git(app, "push", "prd", "main").EnsureOk();
        Assert.Contains($"ok prd/main <- {head[..12]}", push.Stderr);
    }

    /// <summary>
    /// The attack: the pusher writes an approval in a reviewer's name with plain put-parameter (the developer policy allows writing
    /// approval/*) and pushes. SSM records the pusher as its writer, so neither the pre-push hook nor the gate counts it, and both
    /// name it; status says it too, and audit flags it.
    /// </summary>
    [Fact]
    public void An_approval_put_in_a_reviewers_name_by_the_pusher_is_not_counted_and_is_named_by_the_hook_the_gate_status_and_audit()
    {
        var policy = Policy(prdExtra: "    approvals: { required: 1 }");
        var app = _s.Project(policy);
        var head = PromoteToStg(app);
        var reviewer = new GitPromote.Core.Evidence.Identity($"arn:aws:iam::123456789012:user/reviewer-{Guid.NewGuid().ToString("N")[..6]}", "");
        var id = GitPromote.Core.Evidence.ApproverIds.Of(reviewer);
        var name = $"/promote/{_service}/prd/approval/{head}/{id}";
        Aws(null, "ssm", "put-parameter", "--name", name, "--type", "String",
            "--value", $$"""{"environment":"prd","commit":"{{head}}","by":"{{reviewer.Name}}","at":"2026-01-01T00:00:00Z"}""").EnsureOk();
        var named = $"not counted: the approval in the name of {GitPromote.Core.Evidence.ApproverIds.Readable(id)} was written by " +
            "arn:aws:sts::123456789012:user/moto, not by the approver";

        var push = _s.Git(app, "push", "prd", "main");
        Assert.NotEqual(0, push.ExitCode);
        Assert.Contains("[approvals] 0 of 1 approval from others", push.Stderr);
        Assert.Contains(named, push.Stderr);

        var gate = _s.Promote(app, "gate", "prd", "--commit", head, "--policy", _s.PipelinePolicy(policy));
        Assert.NotEqual(0, gate.ExitCode);
        Assert.Contains(named, gate.Stdout + gate.Stderr);

        Assert.Contains(named, _s.Promote(app, "status").Stdout);

        var audit = _s.Promote(app, "audit", "prd");
        Assert.NotEqual(0, audit.ExitCode);
        Assert.Contains($"{name}: NOT COUNTED: an approval in the name of {GitPromote.Core.Evidence.ApproverIds.Readable(id)} written by " +
            "arn:aws:sts::123456789012:user/moto, not by the approver", audit.Stderr);
    }

    /// <summary>
    /// A bypass rewritten after the fact (Version 2, new text, a new "by") by someone holding PutParameter without the construct's deny:
    /// audit shows what every reader sees, and flags the record with every version's writer and text.
    /// </summary>
    [Fact]
    public void A_bypass_record_overwritten_after_the_fact_is_flagged_by_audit_with_every_versions_writer_and_text()
    {
        var app = _s.Project(Policy());
        var head = _s.Git(app, "rev-parse", "HEAD").Stdout.Trim();
        _s.Git(app, "push", "dev", "main").EnsureOk();
        _s.Exec(app, "git", ["push", "prd", "main"],
            env: new Dictionary<string, string?> { ["PROMOTE_BYPASS"] = "INC-12: db failover" }).EnsureOk();
        var bypass = Aws(null, "ssm", "get-parameters-by-path", "--path", $"/promote/{_service}/prd/bypass", "--query", "Parameters[0].Name",
                "--output", "text")
            .EnsureOk().Stdout.Trim();
        Assert.StartsWith($"/promote/{_service}/prd/bypass/", bypass);
        var mallory = NewUser("mallory-" + Guid.NewGuid().ToString("N")[..6]);
        Aws(mallory, "ssm", "put-parameter", "--overwrite", "--name", bypass, "--type", "String",
            "--value", $$"""{"environment":"prd","commit":"{{head}}","ref":"refs/heads/main","justification":"CHG-7: planned""" +
                """ release","by":{"name":"release-bot","email":""},"at":"2026-01-01T00:00:00Z"}""").EnsureOk();

        var audit = _s.Promote(app, "audit", "prd");

        Assert.NotEqual(0, audit.ExitCode);
        Assert.Contains($"{bypass}: REWRITTEN: 2 versions", audit.Stderr);
        Assert.Contains("version 1", audit.Stderr);
        Assert.Contains("by arn:aws:sts::123456789012:user/moto: ", audit.Stderr);
        Assert.Contains("INC-12: db failover", audit.Stderr);
        Assert.Contains("version 2", audit.Stderr);
        Assert.Contains("/mallory-", audit.Stderr);
        Assert.Contains("CHG-7: planned release", audit.Stderr);
    }
}
