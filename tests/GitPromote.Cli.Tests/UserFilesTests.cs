using GitPromote.Cli.Infrastructure;
using GitPromote.Platform;

namespace GitPromote.Cli.Tests;

/// <summary>
/// Files a user names (history --html, init's .promote.yml) are never written through a symbolic link: not the file
/// named, and not the temporary file written beside it before the rename. With the real file system, in a fresh folder.
/// </summary>
public sealed class UserFilesTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("userfiles-").FullName;
    private readonly IFileSystem _files = new SystemFileSystem();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void A_link_at_the_temporary_name_beside_the_file_is_not_written_through()
    {
        var outside = Path.Combine(_dir, "outside.txt");
        File.WriteAllText(outside, "not yours\n");
        var page = Path.Combine(_dir, "history.html");
        // The name the temporary file had: the path, ".tmp." and this process's id, which anyone can see.
        File.CreateSymbolicLink($"{page}.tmp.{Environment.ProcessId}", outside);

        UserFiles.Write(_files, page, "<html></html>", "todo");

        Assert.Equal("not yours\n", File.ReadAllText(outside));
        Assert.Equal("<html></html>", File.ReadAllText(page));
        Assert.Null(new FileInfo(page).LinkTarget);
    }

    [Fact]
    public void A_link_that_points_at_nothing_is_refused_and_nothing_is_created_where_it_points()
    {
        var target = Path.Combine(_dir, "elsewhere", "..", "made.txt");
        var page = Path.Combine(_dir, "history.html");
        File.CreateSymbolicLink(page, target);

        var e = Assert.Throws<CommandFailedException>(() => UserFiles.Write(_files, page, "<html></html>", "todo"));

        Assert.Equal(ExitCodes.UsageOrPolicy, e.ExitCode);
        Assert.Contains("is a symbolic link: git-promote does not write through links", e.Message);
        Assert.False(File.Exists(Path.Combine(_dir, "made.txt")));
        Assert.DoesNotContain(Directory.GetFiles(_dir), f => f.Contains(".tmp.", StringComparison.Ordinal));
    }
}
