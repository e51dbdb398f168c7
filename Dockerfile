# Builds meshward with the same scripts CI runs, then ships only the binary.
FROM debian:bookworm AS build
WORKDIR /src
COPY . .
RUN ./scripts/deps.sh && BUILD_DIR=/build ./scripts/build.sh -DMESHWARD_BUILD_TESTS=OFF -DMESHWARD_BUILD_BENCH=OFF

FROM debian:bookworm-slim
RUN apt-get update -qq && apt-get install -y -qq --no-install-recommends \
      libyaml-cpp0.7 libre2-9 libssl3 libtcmalloc-minimal4 ca-certificates && rm -rf /var/lib/apt/lists/*
COPY --from=build /build/meshward /usr/local/bin/meshward
# charts/meshward relies on these: user 65532, port 8443 (`serve`'s default), the binary as
# entrypoint, and /bin/sleep for the pod's preStop pause.
EXPOSE 8443
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/meshward"]
