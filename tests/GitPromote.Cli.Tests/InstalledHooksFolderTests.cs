using GitPromote.Cli.Install;
using GitPromote.Cli.Tests.Support;

namespace GitPromote.Cli.Tests;

/// <summary>An installation's hooks folder against the shims this binary carries: what is wrong in it, and its repair.</summary>
public sealed class InstalledHooksFolderTests
{
    private const string Dir = "/opt/git-promote/share/git-promote/hooks";
    private readonly FakeFileSystem _files = new();

    private void Installed()
    {
        foreach (var name in Shims.InstalledFiles) _files.Files[$"{Dir}/{name}"] = Shims.Text(name)!;
    }

    [Fact]
    public void The_installed_files_are_the_guards_hooks_the_library_and_a_pass_through_under_every_listed_name()
    {
        Assert.Equal(["pre-push", "pre-receive", Shims.LibraryName], Shims.InstalledFiles.Take(3));
        Assert.Contains("pre-commit", Shims.PassThroughHooks);
        Assert.Contains("p4-pre-submit", Shims.PassThroughHooks);
        Assert.DoesNotContain("reference-transaction", Shims.PassThroughHooks);
        Assert.DoesNotContain("fsmonitor-watchman", Shims.PassThroughHooks);
        Assert.Equal(Shims.Text(Shims.PassThroughTemplate), Shims.Text("commit-msg"));
        Assert.Equal(Shims.Text(Shims.PassThroughTemplate), Shims.Text("reference-transaction"));
    }

    [Fact]
    public void An_intact_folder_needs_nothing_and_files_of_an_installer_at_work_are_not_foreign()
    {
        Installed();
        _files.Files[$"{Dir}/pre-push.tmp.4242"] = "half";

        var state = InstalledHooksFolder.Inspect(_files, Dir);

        Assert.True(state.IsIntact);
        Assert.Null(state.Describe());
        Assert.Empty(state.Foreign);
    }

    [Fact]
    public void What_lefthook_install_force_leaves_is_repaired_and_their_files_are_kept_aside_and_named()
    {
        Installed();
        _files.Files[$"{Dir}/pre-push.old"] = _files.Files[$"{Dir}/pre-push"];
        _files.Files[$"{Dir}/pre-push"] = "#!/bin/sh\nlefthook run pre-push\n";
        _files.Files.Remove($"{Dir}/commit-msg");
        _files.Files[$"{Dir}/post-merge"] = "#!/bin/sh\n# git-promote-shim: pass-through of an older version\n";

        var state = InstalledHooksFolder.Inspect(_files, Dir);

        Assert.Equal(["pre-push"], state.Displaced);
        Assert.Equal(["commit-msg"], state.Missing);
        Assert.Equal(["post-merge"], state.Outdated);
        Assert.Equal(["pre-push.old"], state.MovedShims);
        Assert.Equal("replaced by files that are not git-promote's: pre-push; git-promote's hooks moved aside: pre-push.old; missing: commit-msg; "
            + "not this binary's version: post-merge", state.Describe());

        var done = InstalledHooksFolder.Repair(_files, state);

        Assert.Equal(4, done.Count);
        var after = InstalledHooksFolder.Inspect(_files, Dir);
        Assert.True(after.IsIntact);
        Assert.Equal(["pre-push.displaced"], after.Foreign);
        Assert.Equal("#!/bin/sh\nlefthook run pre-push\n", _files.Files[$"{Dir}/pre-push.displaced"]);
        Assert.Contains($"{Dir}/commit-msg", _files.Executable);
    }
}
