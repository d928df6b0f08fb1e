using GitPromote.Platform;

namespace GitPromote.Git;

/// <summary>Files read from a commit's tree: only regular blobs (mode 100644 or 100755) of a bounded size.</summary>
public static class TreeFiles
{
    /// <summary>The policy's own limit (<see cref="Core.Policy.PolicyLoader.MaxBytes"/>): the only file read from trees.</summary>
    public const long DefaultMaxBytes = Core.Policy.PolicyLoader.MaxBytes;

    /// <summary>True for a regular blob within the limit; false for a directory (no such file); throws for anything else.</summary>
    public static bool EnsureReadable(string shown, string mode, long? size, long maxBytes)
    {
        if (mode is "040000" or "40000") return false;
        if (mode is not ("100644" or "100755"))
            throw new FileRefusedException(shown, $"is {ModeName(mode)}, not a regular file", tooLarge: false);
        if (size > maxBytes)
            throw new FileRefusedException(shown, $"is larger than {RegularFiles.Size(maxBytes)} ({size} bytes)", tooLarge: true);
        return true;
    }

    private static string ModeName(string mode) => mode switch
    {
        "120000" => "a symbolic link",
        "160000" => "a submodule",
        _ => $"of mode {mode}",
    };
}
