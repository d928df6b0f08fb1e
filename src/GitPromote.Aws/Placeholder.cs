namespace GitPromote.Aws;
