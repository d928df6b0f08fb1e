using GitPromote.Examples.Cdk;

// dotnet run --project examples/cdk -- [--outdir DIR] [--binary git-promote-VERSION-linux-x64.tar.gz] [--policy FILE]
string? outdir = null, tarball = null;
var policy = Path.Combine(AppContext.BaseDirectory, "promote.yml");
for (var i = 0; i < args.Length; i++)
{
    string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
    switch (args[i])
    {
        case "--outdir": outdir = Value(); break;
        case "--binary": tarball = Value(); break;
        case "--policy": policy = Value(); break;
        default:
            Console.Error.WriteLine($"unknown option '{args[i]}'; usage: dotnet run --project examples/cdk -- [--outdir DIR] [--binary " +
                $"git-promote-VERSION-linux-x64.tar.gz] [--policy FILE]");
            return 2;
    }
}
try
{
    var written = ExampleApp.Synthesize(outdir, tarball, File.ReadAllText(policy));
    Console.WriteLine($"templates written to {written}");
    return 0;
}
catch (Exception e) when (e is ArgumentException or IOException)
{
    Console.Error.WriteLine($"example: {e.Message}");
    return 2;
}
