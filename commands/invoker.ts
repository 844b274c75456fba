// Its own file so services.ts (which checks an invoker) and types.ts (which hands services to commands) do not
// import each other.

/** Who ran a command, as the platform reports it. */
export interface Invoker {
  platform: 'discord' | 'slack' | 'console' | 'web';
  userId: string;
  /** Platform role ids (Discord roles); empty where the platform has none. */
  roleIds: string[];
  displayName?: string;
  /** Where it was run; used for per-channel source scoping. */
  channelId?: string;
}
