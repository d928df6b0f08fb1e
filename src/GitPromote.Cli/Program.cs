using GitPromote.Cli;
using GitPromote.Cli.Infrastructure;

return await App.RunAsync(args, CommandContext.System());
