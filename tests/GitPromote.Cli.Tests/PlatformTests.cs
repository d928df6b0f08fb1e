using System.Text;
using GitPromote.Platform;
using GitPromote.TestSupport;

namespace GitPromote.Cli.Tests;

/// <summary>
/// The machine's own file system and process starter (GitPromote.Platform), which everything else reaches through the
/// context: the bounds and ends they promise, on the real disk and with real programs.
/// </summary>
public sealed class PlatformTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly SystemFileSystem _files = new();
    private readonly SystemProcessStarter _processes = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Bytes_are_read_to_the_bound_or_the_end()
    {
        var path = _dir.Combine("ten");
        File.WriteAllText(path, "0123456789");

        Assert.Equal("0123", Encoding.UTF8.GetString(_files.ReadBytes(path, 4)));
        Assert.Equal("0123456789", Encoding.UTF8.GetString(_files.ReadBytes(path, 4096)));
        Assert.Throws<FileNotFoundException>(() => _files.ReadBytes(_dir.Combine("none"), 10));
    }

    [Fact]
    public void A_file_that_says_it_is_empty_is_read_to_its_end()
    {
        // /proc's files have no size until read: this process's command line is there all the same.
        if (!File.Exists("/proc/self/cmdline")) return;
        Assert.NotEmpty(_files.ReadBytes("/proc/self/cmdline", 64 * 1024));
    }

    [Fact]
    public void A_folder_has_entries_once_anything_is_in_it()
    {
        Assert.False(_files.HasEntries(_dir.Combine("none")));
        Assert.False(_files.HasEntries(_dir.Path));
        Directory.CreateDirectory(_dir.Combine("sub"));
        Assert.True(_files.HasEntries(_dir.Path));
    }

    [Fact]
    public void A_program_gets_its_input_and_its_output_is_captured()
    {
        if (OperatingSystem.IsWindows()) return;
        var result = _processes.Run(new ProcessRun("sh", ["-c", "cat; echo \"$GREETING\" >&2; exit 3"])
        {
            Input = Encoding.UTF8.GetBytes("from stdin\n"),
            Environment = new Dictionary<string, string?> { ["GREETING"] = "hello" },
            CaptureOutput = true,
        });

        Assert.Equal(new ProcessResult(3, "from stdin\n", "hello\n", TimedOut: false), result);
    }

    [Fact]
    public void A_program_that_does_not_read_its_input_is_not_an_error()
    {
        if (OperatingSystem.IsWindows()) return;
        var result = _processes.Run(new ProcessRun("sh", ["-c", "exit 0"]) { Input = new byte[1 << 20] });
        Assert.Equal(0, result.ExitCode);
    }

    [Fact]
    public void A_program_past_its_time_limit_is_stopped()
    {
        if (OperatingSystem.IsWindows()) return;
        var result = _processes.Run(new ProcessRun("sleep", ["30"]) { CaptureOutput = true, Timeout = TimeSpan.FromMilliseconds(200) });
        Assert.True(result.TimedOut);
    }
}
