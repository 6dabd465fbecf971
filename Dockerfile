# syntax=docker/dockerfile:1
# mesh-preflight image: the agent (DaemonSet, daemonset/) and the one-shot CLI, as the bundle on a slim
# Node base plus the OS tools the checks run (README "Container image": size estimate).
#   docker build -t mesh-preflight .
#   docker run --rm --user 0 --cap-add NET_ADMIN --cap-add NET_RAW --net=host -v /:/host:ro \
#     mesh-preflight check --host-root=/host      (root: see USER below)
#
# Base: pinned by full version tag, the same in both stages (Node 20, as package.json "engines").
# In production pin the digest as well — FROM node:20.20.2-bookworm-slim@sha256:<digest> — so a
# re-pushed tag cannot change what is built.

FROM node:20.20.2-bookworm-slim AS build
WORKDIR /app
# Dependencies first, so source edits reuse this layer. --ignore-scripts: the package's `prepare`
# script runs the build, and the sources are not here yet; the build runs below. (esbuild needs no
# install script: its binary comes in the @esbuild/<platform> package npm picks for this platform.)
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json ./
COPY scripts ./scripts
COPY src ./src
COPY checks ./checks
# The bundle: dist/mesh-preflight.js + dist/chunks/ + dist/THIRD_PARTY_LICENSES; it needs no node_modules.
RUN npm run build

FROM node:20.20.2-bookworm-slim
# iptables: Debian's package ships both backends (iptables-legacy and iptables-nft, with their
# -save/-restore); nftables: `nft` for the nft backend's rule listing; kmod: modprobe/modinfo for
# module states and fixes; iproute2: `ip netns` for the --probe dry-run in a throwaway namespace;
# ipset: the ambient-mode probe's ipset. Nothing else: the bundle needs no npm package at run time.
RUN apt-get update \
 && apt-get install -y --no-install-recommends iptables nftables kmod iproute2 ipset \
 && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production
WORKDIR /app
# package.json: "type": "module" makes Node read dist/*.js as ES modules.
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/dist/mesh-preflight.js /app/dist/THIRD_PARTY_LICENSES ./dist/
COPY --from=build /app/dist/chunks ./dist/chunks
# The one runtime dependency: systeminformation runs in a child process of its own (--ipv6 auto), so it is
# loaded from node_modules rather than from the bundle.
COPY --from=build /app/node_modules/systeminformation ./node_modules/systeminformation
# `kubectl exec … -- mesh-preflight agent --cleanup` (and diagnose, fix) inside the pod.
RUN ln -s /app/dist/mesh-preflight.js /usr/local/bin/mesh-preflight
EXPOSE 9808
# Non-root by default, for the uses that need no privilege (`--help`, `diagnose` on copied logs,
# rendering a saved report). The DaemonSet overrides it with runAsUser: 0 because iptables-save, nft
# and netlink need CAP_NET_ADMIN/CAP_NET_RAW in the *effective* set, which Kubernetes only gives to
# root (no ambient capabilities; kubernetes/kubernetes#56374) — see daemonset/base/daemonset.yaml.
# 65532 is the conventional "nonroot" uid of distroless images; numeric so runAsNonRoot can verify it.
USER 65532:65532
# The executable itself, not `node …`: its launcher (src/cli/launcher.ts) starts the agent with its
# V8 flags, in the same process (pid 1 here, so SIGTERM reaches Node directly).
ENTRYPOINT ["/app/dist/mesh-preflight.js"]
CMD ["agent"]
