using GitPromote.TestSupport;

namespace GitPromote.Git.Tests.Support;

/// <summary>A bare "server" repository and a clone of it (remote <c>dev</c>, over file://), with two commits.</summary>
public sealed class RemoteSetup : IDisposable
{
    private readonly TempDirectory _dir = new();

    public RemoteSetup(string remoteName = "dev")
    {
        Server = _dir.Combine("server.git");
        GitCli.Run(_dir.Path, "init", "-q", "--bare", Server);
        Clone = _dir.Combine("clone");
        Directory.CreateDirectory(Clone);
        GitCli.Run(Clone, "init", "-q");
        First = GitCli.Commit(Clone, "first", SampleRepository.FirstDate);
        Second = GitCli.Commit(Clone, "second", SampleRepository.SecondDate);
        Unpushed = GitCli.Commit(Clone, "third, only local");
        GitCli.Run(Clone, "remote", "add", remoteName, ServerUrl);
        GitCli.Run(Clone, "push", "-q", remoteName, $"{Second}:refs/heads/main");
    }

    public string Server { get; }
    public string ServerUrl => GitCli.FileUrl(Server);
    public string Clone { get; }
    public string First { get; }
    public string Second { get; }
    public string Unpushed { get; }
    public string Path => _dir.Path;

    public string ServerRef(string name) => GitCli.TryRun(Server, null, null, "rev-parse", "--verify", "-q", name).Stdout.Trim();

    public void Dispose() => _dir.Dispose();
}
