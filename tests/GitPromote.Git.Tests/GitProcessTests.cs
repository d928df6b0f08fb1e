using System.Diagnostics;
using System.Text;
using GitPromote.Git.Tests.Support;
using GitPromote.TestSupport;

namespace GitPromote.Git.Tests;

public sealed class GitProcessTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private GitProcess FakeGit(string script) => new(executable: Scripts.Write(_dir.Combine("fake-git-" + Guid.NewGuid().ToString("N")[..6]), script));

    [Fact]
    public void Arguments_are_passed_literally_never_through_a_shell()
    {
        var file = _dir.Combine("conf");
        const string hostile = "$(touch pwned); echo 'x' | cat && `touch pwned2` \"q\" *";
        GitProcess.Default.Run(_dir.Path, ["config", "--file", file, "test.key", hostile]).EnsureSuccess();
        var read = GitProcess.Default.Run(_dir.Path, ["config", "--file", file, "--get", "test.key"]).EnsureSuccess();
        Assert.Equal(hostile + "\n", read.StdoutText);
        Assert.False(File.Exists(_dir.Combine("pwned")));
        Assert.False(File.Exists(_dir.Combine("pwned2")));
    }

    [Fact]
    public void Given_stdin_bytes_reach_git()
    {
        var result = GitProcess.Default.Run(_dir.Path, ["hash-object", "--stdin"], Encoding.UTF8.GetBytes("hello\n")).EnsureSuccess();
        Assert.Equal("ce013625030ba8dba906f756967f9e9ca394464a\n", result.StdoutText);
    }

    [Fact]
    public void Without_stdin_git_reads_end_of_file_at_once_instead_of_the_callers_input()
    {
        var result = GitProcess.Default.Run(_dir.Path, ["hash-object", "--stdin"]).EnsureSuccess();
        Assert.Equal("e69de29bb2d1d6434b8b29ae775ad8c2e48c5391\n", result.StdoutText); // the empty blob
    }

    [Fact]
    public void Stdout_beyond_its_cap_stops_git_with_a_clear_error()
    {
        var git = FakeGit("head -c 300000 /dev/zero\n");
        var capped = new GitProcess(executable: git.Executable) { StdoutLimit = 1024 };
        var e = Assert.Throws<GitCommandException>(() => capped.Run(_dir.Path, ["cat-file", "blob", "x"]));
        Assert.Contains("more than 1 KiB", e.Message);
    }

    [Fact]
    public void Stderr_is_capped_and_drained_so_git_never_blocks_on_it()
    {
        var git = new GitProcess(executable: FakeGit("head -c 1000000 /dev/zero | tr '\\0' x >&2\necho done\n").Executable) { StderrLimit = 1000 };
        var result = git.Run(_dir.Path, ["anything"]);
        Assert.Equal("done\n", result.StdoutText);
        Assert.Equal(1000, result.Stderr.Length);
    }

    [Fact]
    public void Git_never_prompts_and_environment_overrides_apply()
    {
        var fake = FakeGit("echo \"$GIT_TERMINAL_PROMPT|$GCM_INTERACTIVE|$EXTRA|${HOME:-unset}\"\n");
        var git = new GitProcess(new Dictionary<string, string?> { ["EXTRA"] = "yes", ["HOME"] = null }, fake.Executable);
        Assert.Equal("0|never|yes|unset\n", git.Run(_dir.Path, ["x"]).StdoutText);
    }

    [Theory]
    [InlineData(false, "47.123")]
    [InlineData(true, "47.321")]
    public async Task The_deadline_kills_the_whole_process_tree_in_time(bool synchronous, string marker)
    {
        // ssh that never answers: git -> sh -> sleep. The marker duration finds the sleep afterwards.
        var git = new GitProcess(new Dictionary<string, string?> { ["GIT_SSH_COMMAND"] = $"sleep {marker} #" });
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(1));
        string[] args = ["ls-remote", "ssh://example.invalid/repo.git"];
        var watch = Stopwatch.StartNew();

        if (synchronous) Assert.ThrowsAny<OperationCanceledException>(() => git.Run(_dir.Path, args, null, deadline.Token));
        else await Assert.ThrowsAnyAsync<OperationCanceledException>(() => git.RunAsync(_dir.Path, args, null, deadline.Token));

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"took {watch.Elapsed}");
        await Task.Delay(200);
        Assert.DoesNotContain(RunningCommandLines(), c => c.Contains(marker, StringComparison.Ordinal));
    }

    [Fact]
    public void A_large_stdin_is_written_while_git_answers_without_deadlock()
    {
        using var repo = new TempDirectory();
        GitCli.Run(repo.Path, "init", "-q");
        var commit = GitCli.Commit(repo.Path, "one");
        // ~400 KiB in and ~600 KiB out: far more than a pipe holds in either direction.
        var input = System.Text.Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat(commit + "\n", 10_000)));
        var result = GitProcess.Default.Run(repo.Path, ["cat-file", "--batch-check"], input).EnsureSuccess();
        Assert.Equal(10_000, result.StdoutText.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [Fact]
    public void A_failure_is_a_GitCommandException_without_credentials()
    {
        var fake = FakeGit("echo \"fatal: unable to access 'https://bob:hunter2@git.example.com/x.git/': denied\" >&2\nexit 128\n");
        var result = fake.Run(_dir.Path, ["ls-remote", "https://bob:hunter2@git.example.com/x.git"]);
        var e = Assert.Throws<GitCommandException>(() => result.EnsureSuccess());
        Assert.Equal(128, e.ExitCode);
        Assert.Equal("git ls-remote failed (exit 128): fatal: unable to access 'https://git.example.com/x.git/': denied", e.Message);
        Assert.DoesNotContain("hunter2", e.StandardError);
    }

    [Fact]
    public void A_real_unreachable_remote_fails_fast_without_credentials_in_the_message()
    {
        var result = GitProcess.Default.Run(_dir.Path, ["ls-remote", "https://bob:hunter2@127.0.0.1:1/x.git"]);
        var e = Assert.Throws<GitCommandException>(() => result.EnsureSuccess());
        Assert.DoesNotContain("hunter2", e.Message);
        Assert.DoesNotContain("hunter2", e.StandardError);
        Assert.StartsWith("git ls-remote failed", e.Message);
    }

    [Fact]
    public void A_missing_git_executable_is_a_GitCommandException()
    {
        var git = new GitProcess(executable: _dir.Combine("no-such-git"));
        var e = Assert.Throws<GitCommandException>(() => git.Run(_dir.Path, ["status"]));
        Assert.Contains("could not be started", e.Message);
    }

    private static List<string> RunningCommandLines()
    {
        var lines = new List<string>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            try
            {
                lines.Add(File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' '));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
            }
        }
        return lines;
    }
}

public sealed class SecretRedactorTests
{
    [Theory]
    [InlineData("fatal: 'https://user:pw@host/x.git' failed", "fatal: 'https://host/x.git' failed")]
    [InlineData("https://token@host/x", "https://host/x")]
    [InlineData("ssh://git@host/x and http://a:b@c/d", "ssh://git@host/x and http://c/d")]
    [InlineData("no url here", "no url here")]
    [InlineData("file:///srv/git/x.git", "file:///srv/git/x.git")]
    public void Credentials_in_urls_are_removed(string text, string expected) => Assert.Equal(expected, SecretRedactor.RedactUrls(text));
}

public sealed class GitErrorsTests
{
    [Fact]
    public void A_message_keeps_the_lines_that_say_what_failed_and_stays_short()
    {
        var stderr = "hint: something\nerror: first problem\n" + string.Join('\n', Enumerable.Repeat("fatal: " + new string('x', 200), 5));
        var e = GitErrors.Failed(["--git-dir=/x", "-c", "a=b", "push", "origin"], 1, stderr);
        Assert.StartsWith("git push failed (exit 1): error: first problem | fatal: ", e.Message);
        Assert.True(e.Message.Length < 460, e.Message);
    }
}
