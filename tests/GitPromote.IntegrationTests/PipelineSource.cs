namespace GitPromote.IntegrationTests;

/// <summary>What CodePipeline hands CodeBuild (and many runners a pipeline step): the files of a commit, and no .git.</summary>
internal static class PipelineSource
{
    public static string Unpack(Sandbox s, string app, string commit, string name)
    {
        var dir = Path.Combine(s.Root, name);
        Directory.CreateDirectory(dir);
        s.Exec(app, "sh", ["-c", $"git archive --format=tar {commit} | tar -x -C '{dir}'"]).EnsureOk();
        Assert.False(Directory.Exists(Path.Combine(dir, ".git")));
        Assert.True(File.Exists(Path.Combine(dir, ".promote.yml")));
        return dir;
    }
}
