using System.Diagnostics;

namespace GitPromote.Platform;

/// <summary>Starts programs on this machine: the one <see cref="IProcessStarter"/> that does.</summary>
public sealed class SystemProcessStarter : IProcessStarter
{
    public ProcessResult Run(ProcessRun run)
    {
        var start = new ProcessStartInfo(run.Program)
        {
            UseShellExecute = false,
            RedirectStandardInput = run.Input is not null,
            RedirectStandardOutput = run.CaptureOutput,
            RedirectStandardError = run.CaptureOutput,
        };
        if (run.WorkingDirectory is not null) start.WorkingDirectory = run.WorkingDirectory;
        foreach (var a in run.Arguments) start.ArgumentList.Add(a);
        foreach (var (name, value) in run.Environment ?? new Dictionary<string, string?>())
        {
            if (value is null) start.Environment.Remove(name);
            else start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        // Output is read from the start, so a program that writes a lot never waits on a full pipe while its input is written.
        var output = run.CaptureOutput ? process.StandardOutput.ReadToEndAsync() : null;
        var error = run.CaptureOutput ? process.StandardError.ReadToEndAsync() : null;
        if (run.Input is { } input)
        {
            try
            {
                process.StandardInput.BaseStream.Write(input);
                process.StandardInput.Close();
            }
            catch (IOException)
            {
                // It did not read its input; that is its business.
            }
        }
        if (run.Timeout is { } limit)
        {
            if (!process.WaitForExit(limit))
            {
                try { process.Kill(entireProcessTree: true); }
                catch (InvalidOperationException) { }
                return new ProcessResult(-1, "", "", TimedOut: true);
            }
        }
        else
        {
            process.WaitForExit();
        }
        return new ProcessResult(process.ExitCode, output?.Result ?? "", error?.Result ?? "", TimedOut: false);
    }
}
