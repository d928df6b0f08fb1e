namespace GitPromote.TestSupport;

/// <summary>This checkout's root folder (the one with Hooks.sln), found above the test's own output folder.</summary>
public static class RepositoryRoot
{
    public static string Path { get; } = Find();

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "Hooks.sln"))) return dir.FullName;
        throw new InvalidOperationException("Hooks.sln not found above " + AppContext.BaseDirectory);
    }
}
