/** The Discord adapter's public surface. */
export { createDiscordAdapter, type DiscordAdapter, type DiscordAdapterDeps } from './discord-adapter.js';
export { deployCommands, type DeployCommandsOptions, type DeployCommandsResult } from './deploy-commands.js';
export { toApplicationCommand, toApplicationCommands } from './command-json.js';
