import { Flags } from "@oclif/core";
import { BaseCommand } from "../../../cli/base-command.js";
import { spinner } from "../../../cli/progress.js";
import { buildImage, defaultImageTag } from "../../../devnet/image.js";
import { connectEngine } from "../../../devnet/providers/docker.js";

export default class DevnetImageBuild extends BaseCommand {
  static override summary = "Build the node's Docker image offline (no registry needed).";
  static override description =
    "Makes a root filesystem from this host's node binary, the shared libraries ldd lists for it, the " +
    "built app (dist/) and its production node_modules, and feeds it to `docker import` on the local engine " +
    "(DOCKER_HOST respected). `devnet up --provider docker` does this by itself when the image is missing " +
    "or older than the app. With a registry at hand, templates/Dockerfile (FROM node:20-slim) builds the " +
    "same image the usual way.";
  static override examples = [
    "<%= config.bin %> devnet image build",
    "<%= config.bin %> devnet image build --tag fastpos-node:mine --json",
    "docker run --rm fastpos-node:0.1.0 keys new --json",
  ];
  static override flags = {
    tag: Flags.string({ description: "Image tag [default: fastpos-node:VERSION]" }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(DevnetImageBuild);
    const spin = spinner(!this.jsonMode);
    let r: Awaited<ReturnType<typeof buildImage>>;
    try {
      spin.update("connecting to the Docker engine");
      const docker = await connectEngine();
      r = await buildImage(docker, {
        tag: flags.tag ?? defaultImageTag(),
        onProgress: (m) => spin.update(m),
      });
    } finally {
      spin.stop();
    }
    this.emit(r, (o) =>
      this.log(
        `Built ${o.tag} (${o.id.slice(7, 19)}) in ${(o.ms / 1000).toFixed(1)} s: ${(o.bytes / 1e6).toFixed(0)} MB, ${o.packages} packages`,
      ),
    );
  }
}
