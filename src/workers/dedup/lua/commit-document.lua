-- commit-document.lua: records one document's messages in the near-duplicate index, atomically,
-- unless the document is already indexed or the index changed since the caller read it
-- (optimistic concurrency: the caller then reads again and decides again).
--
-- KEYS[1]  docs     hash  document id -> document record (JSON)
-- KEYS[2]  exact    hash  exact-text key -> mid of its first occurrence
-- KEYS[3]  buckets  hash  LSH band key -> "mid,mid,..." (at most maxBucket mids)
-- KEYS[4]  members  hash  mid -> member record
-- KEYS[5]  meta     hash  counters (clusters)
-- KEYS[6]  paths    hash  document id -> path (what messages.jsonl needs of a document)
-- KEYS[7..] cluster occurrence lists, one per cluster in ARGV[1].clusterAdd (first occurrence first)
--
-- ARGV[1]  JSON plan: { doc, path, rec, checks: [[bucket, observed byte length]], absent: [exact key],
--          bucketAdd: [[bucket, mid]], exactAdd: [[key, mid]], members: [[mid, record]],
--          clusterAdd: [[key index into KEYS, root mid, mid]], maxBucket, newClusters }
--
-- Returns {'exists', record} | {'conflict'} | {'ok'}
local p = cjson.decode(ARGV[1])

local existing = redis.call('HGET', KEYS[1], p.doc)
if existing then return {'exists', existing} end

for _, c in ipairs(p.checks) do
  if redis.call('HSTRLEN', KEYS[3], c[1]) ~= c[2] then return {'conflict'} end
end
for _, k in ipairs(p.absent) do
  if redis.call('HEXISTS', KEYS[2], k) == 1 then return {'conflict'} end
end

local maxBucket = tonumber(p.maxBucket)
for _, b in ipairs(p.bucketAdd) do
  local v = redis.call('HGET', KEYS[3], b[1])
  if not v then
    redis.call('HSET', KEYS[3], b[1], b[2])
  else
    local _, commas = string.gsub(v, ',', '')
    if commas + 1 < maxBucket then redis.call('HSET', KEYS[3], b[1], v .. ',' .. b[2]) end
  end
end
for _, e in ipairs(p.exactAdd) do
  redis.call('HSETNX', KEYS[2], e[1], e[2])
end
for _, m in ipairs(p.members) do
  redis.call('HSET', KEYS[4], m[1], m[2])
end
for _, c in ipairs(p.clusterAdd) do
  local key = KEYS[c[1]]
  if redis.call('EXISTS', key) == 0 then
    redis.call('RPUSH', key, c[2], c[3])
  else
    redis.call('RPUSH', key, c[3])
  end
end
if tonumber(p.newClusters) > 0 then redis.call('HINCRBY', KEYS[5], 'clusters', p.newClusters) end
redis.call('HSET', KEYS[6], p.doc, p.path)
redis.call('HSET', KEYS[1], p.doc, p.rec)
return {'ok'}
