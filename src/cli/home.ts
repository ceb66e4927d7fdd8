import { createKeystore } from "../keystore/keystore.js";
import { resolveHome } from "../keystore/home.js";

/** The keystore under the resolved home (`--home` > FASTPOS_HOME > ~/.fastpos). */
export function keystoreFor(homeFlag: string | undefined) {
  return createKeystore(resolveHome(homeFlag));
}
