# kratos-hydra-bridge: release build, then a minimal non-root runtime.

FROM rust:1.95-slim-bookworm AS build
WORKDIR /src
# Dependencies first: this layer is rebuilt only when Cargo.toml or Cargo.lock change.
COPY Cargo.toml Cargo.lock ./
COPY domain/Cargo.toml ./domain/
RUN mkdir -p src domain/src \
    && echo 'fn main() {}' > src/main.rs \
    && touch src/lib.rs domain/src/lib.rs \
    && cargo build --release --locked \
    && rm -rf src domain/src target/release/.fingerprint/kratos-hydra-bridge-* \
       target/release/deps/kratos_hydra_bridge* target/release/deps/libkratos_hydra_bridge*
COPY src ./src
COPY domain/src ./domain/src
COPY templates ./templates
COPY locales ./locales
RUN cargo build --release --locked

# glibc and libgcc only (rustls needs no OpenSSL); runs as uid 65532.
FROM gcr.io/distroless/cc-debian12:nonroot
COPY --from=build /src/target/release/kratos-hydra-bridge /usr/local/bin/kratos-hydra-bridge
# A starting point; mount your own config over it, or set any key as BRIDGE__SECTION__KEY.
COPY config.example.yaml /etc/kratos-hydra-bridge/config.yaml
ENV BRIDGE_CONFIG=/etc/kratos-hydra-bridge/config.yaml \
    BRIDGE__SERVE__HOST=0.0.0.0
USER 65532:65532
EXPOSE 3000
# --probe without a URL checks this instance's own /health/alive on its configured port.
HEALTHCHECK --interval=10s --timeout=4s --start-period=5s --retries=3 \
    CMD ["/usr/local/bin/kratos-hydra-bridge", "--probe"]
ENTRYPOINT ["/usr/local/bin/kratos-hydra-bridge"]
