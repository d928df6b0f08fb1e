using System.Text.RegularExpressions;

namespace GitPromote.IntegrationTests;

/// <summary>
/// The gate and record builds run on CodeBuild Lambda compute, Amazon Linux 2023, whose glibc is 2.34. The published
/// binary and the libraries shipped beside it must need no newer glibc symbol, or every build would fail to start.
/// </summary>
[Collection(InstalledCollection.Name)]
public sealed partial class LambdaImageGlibcTests(InstalledGitPromote installed)
{
    public static readonly Version AmazonLinux2023Glibc = new(2, 34);

    [Fact]
    public void The_published_binary_and_its_libraries_need_no_glibc_newer_than_Amazon_Linux_2023s()
    {
        var libraries = Directory.GetFiles(installed.Prefix, "*.so*", SearchOption.AllDirectories);
        Assert.Contains(libraries, l => Path.GetFileName(l).StartsWith("libgit2", StringComparison.Ordinal));
        var files = libraries.Prepend(installed.BinaryPath).ToList();
        foreach (var file in files)
        {
            var highest = HighestGlibc(DynamicSymbols(file));
            Assert.True(highest is not null, $"{file} shows no GLIBC symbol version; objdump -T found no dynamic symbols");
            Assert.True(highest <= AmazonLinux2023Glibc,
                $"{Path.GetFileName(file)} needs GLIBC_{highest}, newer than Amazon Linux 2023's {AmazonLinux2023Glibc}: the Lambda builds would not start it");
        }
    }

    [Fact]
    public void A_symbol_from_a_newer_glibc_is_seen()
    {
        var table = "0000000000000000      DF *UND*  0000000000000000 (GLIBC_2.34) __libc_start_main\n" +
                    "0000000000000000      DF *UND*  0000000000000000 (GLIBC_2.38) __isoc23_strtol\n" +
                    "0000000000000000      DF *UND*  0000000000000000  GLIBC_2.2.5 memcpy\n";
        Assert.Equal(new Version(2, 38), HighestGlibc(table));
        Assert.True(HighestGlibc(table) > AmazonLinux2023Glibc);
    }

    public static Version? HighestGlibc(string objdumpTable) =>
        GlibcVersion().Matches(objdumpTable).Select(m => Version.Parse(m.Groups[1].Value)).DefaultIfEmpty().Max();

    private string DynamicSymbols(string file)
    {
        using var sandbox = new Sandbox(installed);
        return sandbox.Exec(sandbox.Root, "objdump", ["-T", file]).EnsureOk().Stdout;
    }

    [GeneratedRegex(@"GLIBC_([0-9]+\.[0-9]+(?:\.[0-9]+)?)")]
    private static partial Regex GlibcVersion();
}
