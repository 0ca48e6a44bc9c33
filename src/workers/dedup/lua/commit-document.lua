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
-- KEYS[7]  texts    hash  mid -> text of a cluster's first occurrence
-- KEYS[8..] cluster occurrence lists, one per cluster added to (first occurrence first)
--
-- ARGV, flat (no JSON: decoding a document's plan with cjson and building Lua tables from it
-- cost more than the Redis commands themselves, and each list below goes to HMGET/HSET as a
-- slice of ARGV without being copied):
--   1 doc, 2 path, 3 document record, 4 clusters this document starts,
--   5..10 counts: C checks, A absent, E exactAdd, M members, K clusterAdd, T texts
--   then C bucket fields read, C byte lengths they had, C mids to append to them ("mid,mid", or
--   "" for a bucket only checked), A exact keys seen absent,
--   E (exact key, mid) pairs, M (mid, record) pairs, K (index into KEYS, root mid, mid) triples,
--   T (mid, text) pairs.
-- The caller only appends to buckets it read and that had room, and only adds exact keys it saw
-- absent, so once the checks pass the writes need no further reads. (Appends ride along with
-- the checks rather than as (field, mid) pairs of their own: a fourth of the arguments fewer,
-- and no Lua tables to match appends to the values read.)
--
-- Returns {'exists', record} | {'conflict'} | {'ok'}
local existing = redis.call('HGET', KEYS[1], ARGV[1])
if existing then return {'exists', existing} end

local C, A, E, M, K, T = tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7]), tonumber(ARGV[8]),
  tonumber(ARGV[9]), tonumber(ARGV[10])
local checkF = 11
local checkL = checkF + C
local checkAdd = checkL + C
local absent = checkAdd + C
local exactAdd = absent + A
local members = exactAdd + 2 * E
local clusterAdd = members + 2 * M
local texts = clusterAdd + 3 * K

-- unpack() is bounded by Lua's C stack: commands with many arguments go in chunks.
local CHUNK = 1000
local function hmget(key, from, n)
  local out = {}
  for i = 0, n - 1, CHUNK do
    local part = redis.call('HMGET', key, unpack(ARGV, from + i, from + math.min(i + CHUNK, n) - 1))
    for j = 1, #part do out[i + j] = part[j] end
  end
  return out
end
local function hsetFromArgv(key, from, pairsCount)
  for i = 0, pairsCount - 1, CHUNK do
    local last = math.min(i + CHUNK, pairsCount) - 1
    redis.call('HSET', key, unpack(ARGV, from + 2 * i, from + 2 * last + 1))
  end
end

-- Every check first, then the new bucket values (built before any write).
local flat = {}
if C > 0 then
  local vals = hmget(KEYS[3], checkF, C)
  for i = 1, C do
    local v = vals[i]
    if (v and #v or 0) ~= tonumber(ARGV[checkL + i - 1]) then return {'conflict'} end
    local add = ARGV[checkAdd + i - 1]
    if add ~= '' then
      flat[#flat + 1] = ARGV[checkF + i - 1]
      flat[#flat + 1] = v and (v .. ',' .. add) or add
    end
  end
end
if A > 0 then
  local vals = hmget(KEYS[2], absent, A)
  for i = 1, A do
    if vals[i] then return {'conflict'} end
  end
end

for i = 1, #flat, 2 * CHUNK do
  redis.call('HSET', KEYS[3], unpack(flat, i, math.min(i + 2 * CHUNK - 1, #flat)))
end

if E > 0 then hsetFromArgv(KEYS[2], exactAdd, E) end
if M > 0 then hsetFromArgv(KEYS[4], members, M) end
if T > 0 then hsetFromArgv(KEYS[7], texts, T) end

for i = 0, K - 1 do
  local key = KEYS[tonumber(ARGV[clusterAdd + 3 * i])]
  if redis.call('EXISTS', key) == 0 then
    redis.call('RPUSH', key, ARGV[clusterAdd + 3 * i + 1], ARGV[clusterAdd + 3 * i + 2])
  else
    redis.call('RPUSH', key, ARGV[clusterAdd + 3 * i + 2])
  end
end
if tonumber(ARGV[4]) > 0 then redis.call('HINCRBY', KEYS[5], 'clusters', ARGV[4]) end
redis.call('HSET', KEYS[6], ARGV[1], ARGV[2])
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
return {'ok'}
