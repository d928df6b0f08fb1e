using GitPromote.Cli;
using GitPromote.Cli.Infrastructure;

return await App.RunAsync(args, new CommandContext(new SystemConsole(), new SystemEnvironment(), new SystemClock()));
