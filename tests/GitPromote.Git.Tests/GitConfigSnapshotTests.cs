namespace GitPromote.Git.Tests;

public sealed class GitConfigSnapshotTests
{
    private static GitConfigSnapshot Snapshot(params string[] entries) => GitConfigSnapshot.Parse(string.Join('\0', entries) + "\0");

    [Fact]
    public void The_last_value_wins_and_a_bare_key_is_true()
    {
        var config = Snapshot("a.b=1".Replace('=', '\n'), "a.b\n2", "a.flag", "sec.Sub.name\nv"); // git lists section and name lower-cased
        Assert.Equal("2", config.Get("A.B"));
        Assert.Equal("true", config.Get("a.flag"));
        Assert.Equal("v", config.Get("sec.Sub.NAME"));
        Assert.Null(config.Get("sec.sub.name"));
        Assert.Null(config.Get("nodot"));
    }

    public static TheoryData<string[], string, string> RemoteCases => new()
    {
        { ["remote.o.url\nhttps://h/x"], "https://h/x", "https://h/x" },
        { ["remote.o.url\nhttps://h/x", "remote.o.pushurl\nssh://h/x"], "https://h/x", "ssh://h/x" },
        { ["url.https://github.com/.insteadof\ngh:", "remote.o.url\ngh:a/b"], "https://github.com/a/b", "https://github.com/a/b" },
        { ["url.ssh://git@github.com/.pushinsteadof\nhttps://github.com/", "remote.o.url\nhttps://github.com/a/b"], "https://github.com/a/b", "ssh://git@github.com/a/b" },
        // pushInsteadOf never rewrites an explicit pushurl; insteadOf does.
        { ["url.X:.pushinsteadof\nhttps://", "url.https://long/.insteadof\nl:", "remote.o.url\nhttps://h/x", "remote.o.pushurl\nl:y"], "https://h/x", "https://long/y" },
        // The longest matching insteadOf wins.
        { ["url.A/.insteadof\ngh:", "url.B/.insteadof\ngh:org/", "remote.o.url\ngh:org/r"], "B/r", "B/r" },
    };

    [Theory]
    [MemberData(nameof(RemoteCases))]
    public void Remote_urls_are_rewritten_as_git_rewrites_them(string[] entries, string url, string pushUrl)
    {
        var remote = Assert.Single(Snapshot(entries).Remotes());
        Assert.Equal(new GitRemote("o", url, pushUrl), remote);
    }
}
