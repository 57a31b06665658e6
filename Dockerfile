# The Node host as a container: what local/compose.yml runs, and the upload service's image.
FROM node:22-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY patches ./patches
RUN npm ci
COPY tsconfig.json ./
COPY lambda ./lambda
RUN npx esbuild lambda/hosts/node/main.ts --bundle --platform=node --target=node22 --main-fields=module,main --outfile=dist/server.js
# Password checks run on worker threads: the worker is its own bundle, found beside server.js.
RUN npx esbuild lambda/auth/hash-worker.ts --bundle --platform=node --target=node22 --main-fields=module,main --outfile=dist/hash-worker.js
# The web UI's static files; the host serves the ui/ folder beside its bundle.
COPY ui ./ui
RUN npx tsx ui/build.ts

FROM node:22-slim
WORKDIR /app
COPY --from=build /app/dist/server.js /app/dist/hash-worker.js ./
COPY --from=build /app/ui/dist ./ui
ENV PORT=5000 HOST=0.0.0.0 NODE_ENV=production
EXPOSE 5000
USER node
# A small young generation: the registry makes short-lived garbage per request, and RSS stays near the pool cap (README, "Bounded upload memory").
CMD ["node", "--max-semi-space-size=2", "server.js"]
