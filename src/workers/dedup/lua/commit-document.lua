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
--          The caller only appends to buckets it read (every bucketAdd field is in checks) and
--          that had room, and only adds exact keys it saw absent, so once the checks pass the
--          writes need no further reads.
--
-- Returns {'exists', record} | {'conflict'} | {'ok'}
--
-- Reads and writes go by many fields per call: a document touches ~300 buckets, and one
-- redis.call per bucket (HSTRLEN, HGET, HSET) cost more than everything else in the script.
local p = cjson.decode(ARGV[1])

local existing = redis.call('HGET', KEYS[1], p.doc)
if existing then return {'exists', existing} end

-- unpack() is bounded by Lua's C stack: calls with many fields go in chunks.
local CHUNK = 1000
local function hmget(key, fields)
  local out = {}
  for i = 1, #fields, CHUNK do
    local part = redis.call('HMGET', key, unpack(fields, i, math.min(i + CHUNK - 1, #fields)))
    for j = 1, #part do out[i + j - 1] = part[j] end
  end
  return out
end
local function hset(key, pairs)
  for i = 1, #pairs, 2 * CHUNK do
    redis.call('HSET', key, unpack(pairs, i, math.min(i + 2 * CHUNK - 1, #pairs)))
  end
end

local fields = {}
for i, c in ipairs(p.checks) do fields[i] = c[1] end
local current = {}
local vals = hmget(KEYS[3], fields)
for i, c in ipairs(p.checks) do
  local v = vals[i]
  if (v and #v or 0) ~= c[2] then return {'conflict'} end
  current[c[1]] = v
end
if #p.absent > 0 then
  for _, v in ipairs(hmget(KEYS[2], p.absent)) do
    if v then return {'conflict'} end
  end
end

local order, changed = {}, {}
for _, b in ipairs(p.bucketAdd) do
  local f = b[1]
  local v = current[f]
  -- Appending to a bucket the caller did not read would drop its members: refuse, before any write.
  if v == nil then return redis.error_reply('dedup commit: bucket ' .. f .. ' was not read before the commit') end
  if not changed[f] then order[#order + 1] = f end
  changed[f] = true
  current[f] = v and (v .. ',' .. b[2]) or b[2]
end
local pairs_ = {}
for _, f in ipairs(order) do
  pairs_[#pairs_ + 1] = f
  pairs_[#pairs_ + 1] = current[f]
end
hset(KEYS[3], pairs_)

pairs_ = {}
for _, e in ipairs(p.exactAdd) do
  pairs_[#pairs_ + 1] = e[1]
  pairs_[#pairs_ + 1] = e[2]
end
hset(KEYS[2], pairs_)

pairs_ = {}
for _, m in ipairs(p.members) do
  pairs_[#pairs_ + 1] = m[1]
  pairs_[#pairs_ + 1] = m[2]
end
hset(KEYS[4], pairs_)

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
