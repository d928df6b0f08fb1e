using GitPromote.Platform;

namespace GitPromote.Cli.Infrastructure;

/// <summary>
/// Files a user names on the command line (<c>history --html FILE</c>, <c>demo DIR</c>) or that a command writes in
/// their clone (<c>init</c>'s .promote.yml): written never through a symbolic link, neither the file named nor the
/// temporary file beside it (a random name, created new), replaced by a rename (so a link put there meanwhile is replaced,
/// not followed), and a failure said in words with exit 2, never a .NET resource key.
/// </summary>
public static class UserFiles
{
    /// <summary>Writes <paramref name="text"/> to <paramref name="path"/>; <paramref name="todo"/> says what to do when it cannot.</summary>
    public static void Write(IFileSystem files, string path, string text, string todo)
    {
        if (files.IsLink(path))
            throw CommandFailedException.Usage($"{path} is a symbolic link: git-promote does not write through links",
                "give a path that is not a link (remove the link, or name the file it points at)");
        if (files.DirectoryExists(path)) throw CommandFailedException.Usage($"cannot write {path}: it is a folder", todo);
        // The temporary file beside it gets a name nobody can guess and is created new (a link planted at it is not followed).
        var temp = $"{path}.tmp.{Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(8))}";
        try
        {
            files.CreateNewFile(temp, text);
            files.Move(temp, path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TryDelete(files, temp);
            throw CommandFailedException.Usage($"cannot write {path}: {Why(files, e, path)}", todo);
        }
    }

    /// <summary>Creates the folder <paramref name="path"/> (and its parents), or says in words why not (exit 2).</summary>
    public static void CreateFolder(IFileSystem files, string path, string todo)
    {
        try
        {
            files.CreateDirectory(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw CommandFailedException.Usage($"cannot create the folder {path}: {Why(files, e, path)}", todo);
        }
    }

    /// <summary>
    /// Why a file operation failed, in words. The Native AOT build carries no .NET message texts (UseSystemResourceKeys),
    /// so the exception's type and errno say it instead.
    /// </summary>
    public static string Why(IFileSystem files, Exception e, string path) => e switch
    {
        DirectoryNotFoundException => $"no such folder: {Path.GetDirectoryName(path)}",
        FileNotFoundException => "no such file",
        UnauthorizedAccessException when files.DirectoryExists(path) => "it is a folder",
        UnauthorizedAccessException => "permission denied",
        IOException { HResult: Errno.ReadOnlyFileSystem } => "read-only file system",
        IOException { HResult: Errno.NoSpace } => "no space left on the device",
        IOException { HResult: Errno.IsADirectory } => "it is a folder",
        IOException { HResult: Errno.NotADirectory } => "a part of the path is a file, not a folder",
        IOException { HResult: Errno.NameTooLong } => "the name is too long",
        IOException { HResult: Errno.NoEntry } => $"no such folder: {Path.GetDirectoryName(path)}",
        IOException { HResult: Errno.Exists } => "something is already there",
        _ => $"the system refused it ({e.GetType().Name}, error {e.HResult})",
    };

    /// <summary>The errno values .NET puts in an IOException's HResult on Linux and macOS when it has no exception type of its own.</summary>
    private static class Errno
    {
        public const int NoEntry = 2;
        public const int Exists = 17;
        public const int NotADirectory = 20;
        public const int IsADirectory = 21;
        public const int NoSpace = 28;
        public const int ReadOnlyFileSystem = 30;
        public const int NameTooLong = 36;
    }

    private static void TryDelete(IFileSystem files, string path)
    {
        try
        {
            if (files.FileExists(path)) files.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }
}
