using GitPromote.Core.Evidence;
using GitPromote.Core.Settings;

namespace GitPromote.IntegrationTests;

/// <summary>
/// <c>git promote prune</c> with the installed binary, on a git store (refs on a bare remote, also behind the server
/// guard) and on SSM (moto): what it keeps, that <c>--dry-run</c> changes nothing, that a second run finds nothing more,
/// and that a guarded server accepts it only from the accounts in <c>promote.recorders</c>.
/// </summary>
[Collection(InstalledCollection.Name)]
public sealed class PruneTests(InstalledGitPromote installed) : IDisposable
{
    private static readonly DateTimeOffset LongAgo = new(2020, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly Sandbox _s = new(installed);

    public void Dispose() => _s.Dispose();

    private string Dev => Path.Combine(_s.Root, "dev.git");

    /// <summary>An annotated tag written by hand (as a pipeline might), with the record time in its JSON body and tagger line.</summary>
    private string TagAt(string app, string commit, DateTimeOffset at, string body)
    {
        var text = $"object {commit}\ntype commit\ntag promote-record\ntagger Ops <ops@example.com> {at.ToUnixTimeSeconds()} +0000\n\n{body}\n";
        return _s.Exec(app, "git", ["mktag"], stdin: text).EnsureOk().Stdout.Trim();
    }

    private void PushRecord(string app, string remote, string target, string refName, IDictionary<string, string?>? env = null) =>
        _s.Exec(app, "git", ["push", "--quiet", "--no-verify", remote, $"{target}:{refName}"], env: env).EnsureOk();

    private string GreenAt(string app, string commit, DateTimeOffset at) =>
        TagAt(app, commit, at, RecordJson.GreenBody(commit, "dev", new Identity("Ops", "ops@example.com"), at));

    private string Records(string bare) => _s.Git(bare, "for-each-ref", "--format=%(refname) %(objectname)", "refs/promote/").EnsureOk().Stdout;

    /// <summary>
    /// dev holds: old green c1 (deployed on dev/main), old green c2 (revoked, with a bypass record and an old approval),
    /// old green c3 and c4, and c5 recorded green just now (with its deployment event); plus an old approval of c1.
    /// </summary>
    private (string App, string[] C) GitStoreWithHistory()
    {
        var app = _s.Project();
        var c = Enumerable.Range(1, 5).Select(i => _s.Commit(app, $"c{i}")).ToArray();
        for (var i = 0; i < 4; i++) PushRecord(app, "dev", GreenAt(app, c[i], LongAgo.AddDays(i)), $"refs/promote/green/{c[i]}");
        _s.Record(app, "dev", c[4]).EnsureOk();
        _s.Git(app, "push", "--quiet", "--no-verify", "dev", $"{c[0]}:refs/heads/main").EnsureOk();
        _s.Promote(app, "revoke", "dev", c[1], "--reason", "5xx alarm after deploy").EnsureOk();
        PushRecord(app, "dev", TagAt(app, c[1], LongAgo, "{\"justification\":\"INC-1: old bypass\"}"), $"refs/promote/bypass/20200101T000000Z-{c[1]}-abcd");
        PushRecord(app, "dev", TagAt(app, c[1], LongAgo, "{}"), $"refs/promote/approval/{c[1]}/ops_example.com-0123456789ab");
        PushRecord(app, "dev", TagAt(app, c[0], LongAgo, "{}"), $"refs/promote/approval/{c[0]}/ops_example.com-0123456789ab");
        return (app, c);
    }

    [Fact]
    public void Prune_on_a_git_store_keeps_the_deployed_the_newest_and_the_audit_trail_and_deletes_old_green_and_their_approvals()
    {
        var (app, c) = GitStoreWithHistory();

        var prune = _s.Promote(app, "prune", "dev", "--keep", "1", "--older-than", "30d").EnsureOk();

        var left = Records(Dev);
        Assert.Contains($"refs/promote/green/{c[0]} ", left);       // deployed now, however old
        Assert.Contains($"refs/promote/green/{c[4]} ", left);       // the newest (and young)
        Assert.Contains($"refs/promote/approval/{c[0]}/", left);    // an approval of a kept commit
        Assert.Contains($"refs/promote/revoked/{c[1]} ", left);     // audit trail
        Assert.Contains($"refs/promote/bypass/20200101T000000Z-{c[1]}-abcd ", left);
        Assert.Contains($"refs/promote/deploy/", left);                // c5's deployment event: young
        foreach (var gone in new[] { $"refs/promote/green/{c[1]}", $"refs/promote/green/{c[2]}", $"refs/promote/green/{c[3]}",
            $"refs/promote/approval/{c[1]}/" })
        {
            Assert.DoesNotContain(gone, left);
            Assert.Contains($"deleted: {gone}", prune.Stdout);
        }
        Assert.Contains("deleted 4 of 10 records; kept 6", prune.Stdout);
    }

    [Fact]
    public void Prune_dry_run_changes_nothing_and_prints_what_it_would_delete()
    {
        var (app, c) = GitStoreWithHistory();
        var before = Records(Dev);

        var dry = _s.Promote(app, "prune", "dev", "--keep", "1", "--older-than", "30d", "--dry-run").EnsureOk();

        Assert.Equal(before, Records(Dev));
        Assert.Contains($"would delete: refs/promote/green/{c[2]}", dry.Stdout);
        Assert.Contains("nothing was changed; to delete them: git promote prune dev --keep 1 --older-than 30d", dry.Stdout);
    }

    [Fact]
    public void Prune_run_twice_deletes_nothing_the_second_time()
    {
        var (app, _) = GitStoreWithHistory();
        _s.Promote(app, "prune", "dev", "--keep", "1", "--older-than", "30d").EnsureOk();
        var after = Records(Dev);

        var again = _s.Promote(app, "prune", "dev", "--keep", "1", "--older-than", "30d").EnsureOk();

        Assert.Equal(after, Records(Dev));
        Assert.Contains("deleted 0 of 6 records", again.Stdout);
    }

    [Fact]
    public void Prune_deletes_nothing_when_it_cannot_read_the_environments_remote()
    {
        var (app, _) = GitStoreWithHistory();
        var before = Records(Dev);
        _s.Git(app, "remote", "set-url", "dev", Path.Combine(_s.Root, "missing.git")).EnsureOk();

        var prune = _s.Promote(app, "prune", "dev", "--keep", "0", "--older-than", "0s");

        Assert.Equal(1, prune.ExitCode);
        Assert.Contains("prune of dev stopped; nothing was deleted", prune.Stderr);
        // It lists the records first, then reads what is deployed (so a rollback meanwhile is seen): the listing fails first.
        Assert.Contains("cannot list the records of 'dev' from remote dev", prune.Stderr);
        Assert.Equal(before, Records(Dev));
    }

    [Fact]
    public void A_guarded_server_refuses_a_prune_by_an_account_not_in_promote_recorders_and_accepts_the_pipelines()
    {
        var app = _s.Project();
        var stg = Path.Combine(_s.Root, "stg.git");
        _s.Git(app, "push", "--quiet", "--no-verify", "stg", "main").EnsureOk();
        _s.Promote(stg, "install", "--server", "--env", "stg").EnsureOk();
        _s.Git(stg, "config", "--add", PromoteSettings.GitKeys.Recorders, "ci-bot").EnsureOk();
        var pipeline = new Dictionary<string, string?> { ["USER"] = "ci-bot", ["LOGNAME"] = "ci-bot" };
        var mallory = new Dictionary<string, string?> { ["USER"] = "mallory", ["LOGNAME"] = "mallory" };
        var old = _s.Commit(app, "old");
        PushRecord(app, "stg", GreenAt(app, old, LongAgo), $"refs/promote/green/{old}", pipeline);
        var before = Records(stg);

        var refused = _s.Exec(app, _s.Installed.BinaryPath, ["prune", "stg", "--keep", "0", "--older-than", "1d"], env: mallory);

        Assert.Equal(1, refused.ExitCode);
        Assert.Contains($"refs/promote/green/{old}: only the accounts in git config {PromoteSettings.GitKeys.Recorders} may delete green records, " +
            $"and this server knows you as mallory", refused.Stderr);
        Assert.Contains("nothing was deleted", refused.Stderr);
        Assert.Equal(before, Records(stg));

        var accepted = _s.Exec(app, _s.Installed.BinaryPath, ["prune", "stg", "--keep", "0", "--older-than", "1d"], env: pipeline).EnsureOk();

        Assert.Contains($"deleted: refs/promote/green/{old}", accepted.Stdout);
        Assert.DoesNotContain($"refs/promote/green/{old}", Records(stg));
    }

    [Fact]
    public void A_guarded_server_still_refuses_deleting_a_bypass_record_even_from_a_recorder()
    {
        var app = _s.Project();
        var stg = Path.Combine(_s.Root, "stg.git");
        _s.Git(app, "push", "--quiet", "--no-verify", "stg", "main").EnsureOk();
        var head = _s.Git(app, "rev-parse", "HEAD").EnsureOk().Stdout.Trim();
        PushRecord(app, "stg", TagAt(app, head, LongAgo, "{}"), $"refs/promote/bypass/20200101T000000Z-{head}-abcd");
        _s.Promote(stg, "install", "--server", "--env", "stg").EnsureOk();
        _s.Git(stg, "config", "--add", PromoteSettings.GitKeys.Recorders, "ci-bot").EnsureOk();

        var delete = _s.Exec(app, "git", ["push", "--no-verify", "stg", $":refs/promote/bypass/20200101T000000Z-{head}-abcd"],
            env: new Dictionary<string, string?> { ["USER"] = "ci-bot", ["LOGNAME"] = "ci-bot" });

        Assert.NotEqual(0, delete.ExitCode);
        Assert.Contains("is a bypass record: records are never changed or deleted", delete.Stderr);
    }
}

/// <summary><c>git promote prune</c> on SSM parameters (moto), counted through this test's proxy.</summary>
[Collection(InstalledCollection.Name)]
public sealed class SsmPruneTests : IDisposable
{
    private readonly Sandbox _s;
    private readonly AwsWorld _aws;

    public SsmPruneTests(InstalledGitPromote installed)
    {
        _s = new Sandbox(installed);
        _aws = new AwsWorld(_s);
    }

    public void Dispose()
    {
        _aws.Dispose();
        _s.Dispose();
    }

    private static string Sha(int i) => i.ToString("x", System.Globalization.CultureInfo.InvariantCulture).PadLeft(40, 'e');

    /// <summary>Writes the parameters with boto3 (another client nobody here wrote) in one process: one AWS CLI run per parameter is slow.</summary>
    private void PutAll(IEnumerable<string> names)
    {
        const string script = """
            import boto3, os, sys
            ssm = boto3.client("ssm", endpoint_url=os.environ["MOTO"], region_name="eu-west-1", aws_access_key_id="testing", aws_secret_access_key="testing")
            for name in sys.stdin.read().split():
                ssm.put_parameter(Name=name, Value='{"recordedAt":"2020-01-01T00:00:00Z"}', Type="String")
            """;
        _s.Exec(_s.Root, "python3", ["-c", script], stdin: string.Join("\n", names),
            env: new Dictionary<string, string?> { ["MOTO"] = SharedMoto.Server.DirectEndpoint.ToString() }).EnsureOk();
    }

    private string[] Names() =>
        _aws.AwsCli("ssm", "get-parameters-by-path", "--path", $"/promote/{_aws.Service}/stg/", "--recursive", "--query", "Parameters[].Name", "--output",
            "text")
            .EnsureOk().Stdout.Split(['\t', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal).ToArray();

    /// <summary>stg (SSM) holds 12 green commits besides the deployed one, an approval of each, a bypass, a revocation and a lifted one.</summary>
    private (string App, string Deployed) SsmStoreWithHistory()
    {
        var app = _s.Project(_aws.Policy());
        var deployed = _s.Git(app, "rev-parse", "HEAD").EnsureOk().Stdout.Trim();
        _s.Git(app, "push", "--quiet", "--no-verify", "stg", "main").EnsureOk();
        var root = $"/promote/{_aws.Service}/stg";
        PutAll(new[] { $"{root}/green/{deployed}", $"{root}/approval/{deployed}/ops_example.com-0123456789ab" }
            .Concat(Enumerable.Range(0, 12).SelectMany(i => new[] { $"{root}/green/{Sha(i)}", $"{root}/approval/{Sha(i)}/ops_example.com-0123456789ab" }))
            .Concat([$"{root}/bypass/20200101T000000Z-{Sha(1)}-abcd", $"{root}/revoked/{Sha(2)}", $"{root}/revoked-lifted/20200101T000000Z-{Sha(3)}-abcd"]));
        return (app, deployed);
    }

    [Fact]
    public void Prune_on_ssm_keeps_the_deployed_commit_and_the_audit_trail_and_deletes_in_batches_of_ten()
    {
        var (app, deployed) = SsmStoreWithHistory();
        var root = $"/promote/{_aws.Service}/stg";
        _aws.Requests.Reset();

        var prune = _s.Promote(app, "prune", "stg", "--keep", "0", "--older-than", "0s").EnsureOk();

        Assert.Equal(
            new[]
            {
                $"{root}/approval/{deployed}/ops_example.com-0123456789ab",
                $"{root}/bypass/20200101T000000Z-{Sha(1)}-abcd",
                $"{root}/green/{deployed}",
                $"{root}/revoked-lifted/20200101T000000Z-{Sha(3)}-abcd",
                $"{root}/revoked/{Sha(2)}",
            }.Order(StringComparer.Ordinal),
            Names());
        Assert.Contains($"deleted: {root}/green/{Sha(0)}", prune.Stdout);
        Assert.Contains("deleted 24 of 29 records; kept 5", prune.Stdout);
        Assert.Equal(3, _aws.Requests["DeleteParameters"]); // 24 names, 10 a call
    }

    [Fact]
    public void Prune_on_ssm_keeps_everything_younger_than_the_cut_off_and_dry_run_changes_nothing()
    {
        var (app, _) = SsmStoreWithHistory();
        var before = Names();

        var young = _s.Promote(app, "prune", "stg", "--keep", "0", "--older-than", "1h").EnsureOk();
        var dry = _s.Promote(app, "prune", "stg", "--keep", "0", "--older-than", "0s", "--dry-run").EnsureOk();

        Assert.Contains("deleted 0 of 29 records", young.Stdout);
        Assert.Contains("would delete 24 of 29 records", dry.Stdout);
        Assert.Equal(before, Names());
        Assert.Equal(0, _aws.Requests["DeleteParameters"]);
    }

    [Theory]
    [InlineData("rollback")]
    [InlineData("re-record")]
    public void Prune_on_ssm_does_not_delete_a_record_written_again_while_it_ran(string what)
    {
        var (app, _) = SsmStoreWithHistory();
        var root = $"/promote/{_aws.Service}/stg";
        // An old commit, green in stg long ago and not deployed: prune would delete its record.
        var old = _s.Commit(app, "old release");
        PutAll([$"{root}/green/{old}"]);
        var done = 0;
        // Once prune has listed the store (the last page of its listing), stg is rolled back to it and its pipeline records it again.
        _aws.Observer = exchange =>
        {
            if (exchange.Request.Operation != "GetParametersByPath" || exchange.AnswerText.Contains("NextToken", StringComparison.Ordinal)
                || Interlocked.Exchange(ref done, 1) == 1) return;
            if (what == "rollback") _s.Git(app, "push", "--quiet", "--no-verify", "-f", "stg", $"{old}:refs/heads/main").EnsureOk();
            _aws.AwsCli("ssm", "put-parameter", "--name", $"{root}/green/{old}", "--type", "String", "--overwrite",
                "--value", $"{{\"recordedAt\":\"{DateTimeOffset.UtcNow:yyyy-MM-ddTHH:mm:ssZ}\"}}").EnsureOk();
        };

        var prune = _s.Promote(app, "prune", "stg", "--keep", "0", "--older-than", "0s").EnsureOk();

        Assert.Equal(1, done);
        Assert.Contains($"{root}/green/{old}", Names());
        Assert.DoesNotContain($"deleted: {root}/green/{old}", prune.Stdout);
        Assert.Contains($"deleted: {root}/green/{Sha(0)}", prune.Stdout);
        if (what == "re-record") Assert.Contains($"kept: {root}/green/{old} (written again while prune ran)", prune.Stdout);
    }
}
