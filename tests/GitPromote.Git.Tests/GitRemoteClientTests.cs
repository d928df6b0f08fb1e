using System.Diagnostics;
using GitPromote.Core.Evidence;
using GitPromote.Git.Tests.Support;

namespace GitPromote.Git.Tests;

public sealed class GitRemoteClientTests : IDisposable
{
    private readonly RemoteSetup _remote = new();

    public void Dispose() => _remote.Dispose();

    private GitRemoteClient Client(GitProcess? git = null) => new(Path.Combine(_remote.Clone, ".git"), git ?? GitProcess.Default);

    [Fact]
    public async Task ListRefs_lists_only_refs_under_the_prefix_with_peeled_tags()
    {
        GitCli.Run(_remote.Clone, "tag", "-a", "t2", "-m", "green", _remote.Second);
        var tag = GitCli.Run(_remote.Clone, "rev-parse", "t2");
        GitCli.Run(_remote.Clone, "push", "-q", "dev",
            $"{_remote.First}:refs/promote/green/{_remote.First}",
            $"{tag}:refs/promote/green/{_remote.Second}",
            $"{_remote.First}:refs/other/refs/promote/green/{_remote.First}");

        var refs = await Client().ListRefsAsync("dev", ["refs/promote/green/"], CancellationToken.None);

        Assert.Equal(
        [
            new RemoteRef($"refs/promote/green/{_remote.First}", _remote.First),
            new RemoteRef($"refs/promote/green/{_remote.Second}", tag, _remote.Second),
        ], refs.OrderBy(r => r.Name == $"refs/promote/green/{_remote.Second}").ToList());
    }

    [Fact]
    public async Task ListRefs_works_with_a_url_and_without_a_local_repository()
    {
        var refs = await new GitRemoteClient(null, GitProcess.Default).ListRefsAsync(_remote.ServerUrl, ["refs/heads/"], CancellationToken.None);
        Assert.Equal([new RemoteRef("refs/heads/main", _remote.Second)], refs);
    }

    [Fact]
    public async Task Push_updates_several_refs_at_once()
    {
        await Client().PushAsync("dev", [$"{_remote.First}:refs/promote/a", $"{_remote.Second}:refs/promote/b"], CancellationToken.None);
        Assert.Equal(_remote.First, _remote.ServerRef("refs/promote/a"));
        Assert.Equal(_remote.Second, _remote.ServerRef("refs/promote/b"));
    }

    [Fact]
    public async Task A_rejected_push_is_a_short_GitCommandException_and_atomic_leaves_nothing_half_done()
    {
        var e = await Assert.ThrowsAsync<GitCommandException>(() => Client().PushAsync("dev",
            [$"{_remote.Unpushed}:refs/promote/new", $"{_remote.First}:refs/heads/main"], CancellationToken.None));
        Assert.StartsWith("git push failed", e.Message);
        Assert.True(e.Message.Length < 460);
        Assert.Equal("", _remote.ServerRef("refs/promote/new"));
        Assert.Equal(_remote.Second, _remote.ServerRef("refs/heads/main"));
    }

    [Fact]
    public async Task A_transport_without_atomic_push_gets_one_retry_without_it()
    {
        var log = Path.Combine(_remote.Path, "calls.log");
        var fake = Scripts.Write(Path.Combine(_remote.Path, "fake-git"),
            $"echo \"$*\" >> '{log}'\ncase \"$*\" in *--atomic*) echo 'fatal: the receiving end does not support --atomic push' >&2; exit 128;; esac\nexit " +
                $"0\n");

        await Client(new GitProcess(executable: fake)).PushAsync("dev", ["a:refs/x"], CancellationToken.None);

        var calls = File.ReadAllLines(log);
        Assert.Equal(2, calls.Length);
        Assert.Contains("--atomic", calls[0]);
        Assert.DoesNotContain("--atomic", calls[1]);
        Assert.Contains("--no-verify", calls[1]);
    }

    [Fact]
    public async Task Fetch_brings_refs_into_a_local_namespace_and_prune_removes_stale_ones()
    {
        GitCli.Run(_remote.Clone, "push", "-q", "dev", $"{_remote.First}:refs/promote/x/one", $"{_remote.Second}:refs/promote/x/two");
        var client = Client();
        await client.FetchAsync("dev", ["+refs/promote/x/*:refs/promote/remotes/dev/x/*"], CancellationToken.None);
        Assert.Equal(_remote.Second, GitCli.Run(_remote.Clone, "rev-parse", "refs/promote/remotes/dev/x/two"));

        GitCli.Run(_remote.Server, "update-ref", "-d", "refs/promote/x/two");
        await client.FetchAsync("dev", ["+refs/promote/x/*:refs/promote/remotes/dev/x/*"], prune: true, CancellationToken.None);

        var left = GitCli.Run(_remote.Clone, "for-each-ref", "--format=%(refname)", "refs/promote/remotes/dev/x/");
        Assert.Equal("refs/promote/remotes/dev/x/one", left);
    }

    [Theory]
    [InlineData("--upload-pack=touch /tmp/pwned")]
    [InlineData("")]
    [InlineData("dev\nx")]
    public async Task A_remote_that_git_would_read_as_an_option_is_refused(string remote)
    {
        await Assert.ThrowsAsync<ArgumentException>(() => Client().ListRefsAsync(remote, ["refs/"], CancellationToken.None));
    }

    [Fact]
    public async Task The_clients_own_timeout_bounds_a_call_even_without_a_caller_deadline()
    {
        var git = new GitProcess(new Dictionary<string, string?> { ["GIT_SSH_COMMAND"] = "sleep 30 #" });
        var client = new GitRemoteClient(null, git) { Timeout = TimeSpan.FromSeconds(1) };
        var watch = Stopwatch.StartNew();
        var e = await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            client.ListRefsAsync("ssh://example.invalid/x.git", ["refs/promote/green/"], CancellationToken.None));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"took {watch.Elapsed}");
        // Its own bound, which no caller's token can be asked about: it says so, with its budget.
        Assert.Equal(TimeSpan.FromSeconds(1), Assert.IsType<OwnDeadlinePassedException>(e).Budget);
    }

    [Fact]
    public void Ls_remote_output_is_parsed_with_peeled_lines_folded_in()
    {
        var a = new string('a', 40);
        var b = new string('b', 40);
        var c = new string('c', 64);
        var output = $"{a}\trefs/promote/green/{a}\n{b}\trefs/promote/green/x\n{a}\trefs/promote/green/x^{{}}\n{c}\trefs/promote/green/{c}\r\n"
                     + "garbage line\nnothex\trefs/promote/green/y\n" + $"{a}\trefs/elsewhere/refs/promote/green/{a}\n";
        var refs = GitRemoteClient.ParseLsRemote(output, ["refs/promote/green/"]);
        Assert.Equal(
        [
            new RemoteRef($"refs/promote/green/{a}", a),
            new RemoteRef("refs/promote/green/x", b, a),
            new RemoteRef($"refs/promote/green/{c}", c),
        ], refs);
    }
}
