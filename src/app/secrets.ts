/** The run's secrets, registered with the scrubber before anything is sent (every command, at start-up). */
export { registerRunSecrets } from "../targets/credentials.js";
