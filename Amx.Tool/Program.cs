using Amx.Tool;

return await AmxApp.RunAsync(args);
