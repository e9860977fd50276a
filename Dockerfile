# hypnic's Telegram bot in a container.
#
#   docker build -t hypnic .
#   docker run -d --name hypnic --restart on-failure \
#       -e TELOXIDE_TOKEN -v hypnic-state:/var/lib/hypnic hypnic
#
# The builder runs the same cargo as CI (Rust 1.95, the committed Cargo.lock)
# with the `dist` profile of Cargo.toml: release plus whole-program LTO and no
# symbols. TLS is rustls with its own root certificates, so the runtime image
# needs only glibc and libgcc: distroless/cc, no shell, no package manager.

FROM rust:1.95-bookworm AS builder
WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --locked --profile dist \
    && install -D -m 0755 target/dist/hypnic /out/usr/local/bin/hypnic \
    && install -d -m 0700 /out/var/lib/hypnic

FROM gcr.io/distroless/cc-debian12:nonroot
COPY --from=builder /out/usr/local/bin/hypnic /usr/local/bin/hypnic
COPY --from=builder --chown=nonroot:nonroot /out/var/lib/hypnic /var/lib/hypnic
COPY LICENSE NOTICE /usr/share/doc/hypnic/
# The polling journal and the chats' SQLite file: keep them in a volume, so a
# new container answers what the old one left unanswered.
ENV STATE_DIRECTORY=/var/lib/hypnic
VOLUME ["/var/lib/hypnic"]
USER nonroot:nonroot
# TELOXIDE_TOKEN (and HYPNIC_WEBHOOK_SECRET for a webhook) come from `docker
# run -e`, never from the image. For a webhook, append for example
# `--webhook-url https://bot.example.org/telegram --listen 0.0.0.0:8443` and
# publish that port to the TLS proxy.
ENTRYPOINT ["/usr/local/bin/hypnic"]
CMD ["telegram", "--log-format", "json"]
