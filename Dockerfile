# One image for workers, the dashboard and one-off runs.
FROM node:20-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY bin ./bin
COPY src ./src
COPY config ./config
COPY corpus ./corpus
COPY tsconfig.json ./
ENTRYPOINT ["node", "bin/textmill.js"]
CMD ["--help"]
