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
        var endpoint = Moto.Value.DirectEndpoint.ToString();
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
            ["AWS_ENDPOINT_URL"] = Moto.Value.DirectEndpoint.ToString(),
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
}
