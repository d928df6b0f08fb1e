namespace GitPromote.Git.Tests.Support;

public static class Scripts
{
    /// <summary>Writes a POSIX shell script and makes it executable.</summary>
    public static string Write(string path, string body)
    {
        File.WriteAllText(path, "#!/bin/sh\n" + body);
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }
}
