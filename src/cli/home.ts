import { resolveHome } from "../keystore/home.js";
import { createKeystore } from "../keystore/keystore.js";

/** The keystore under the resolved home (`--home` > FASTPOS_HOME > ~/.fastpos). */
export function keystoreFor(homeFlag: string | undefined) {
  return createKeystore(resolveHome(homeFlag));
}
