-- Ticket search that folds case in every script and finds Japanese and Chinese words, on any cluster: a cluster
-- initialised with the C locale (older embedded ones) lower-cases only ASCII and glues non-ASCII punctuation to
-- words, so nothing here relies on the database's own collation or character classes:
--   * search_fold: a collation whose lower() knows every script (ICU, else PostgreSQL's builtin C.UTF-8, else
--     libc C.UTF-8), used explicitly;
--   * search_text(): NFKC (full-width letters and digits become plain ones), non-ASCII punctuation, symbols and
--     emoji become spaces, lower() under search_fold, and runs of kana, CJK ideographs and Hangul become
--     overlapping two-character words plus the run's last character (印刷機 -> 印刷 刷機 機), so that any part of
--     such a run is found by a phrase of its bigrams and a one-character query by a prefix;
--   * search_vector(): the 'simple' configuration (no stemming, no stop words: the same in every language) over
--     search_text(), kept in a generated column `search_doc` of ticket subjects, comment bodies (the description is
--     the first comment), requesters (name and email) and organizations, each with a GIN index. Stored, not an
--     expression index: a phrase (a CJK word's bigrams) makes PostgreSQL recheck every candidate row, and a stored
--     document is read where an expression would be computed again for each;
--   * search_query(word): one query word as a phrase of its lexemes, the last one a prefix (so "ольг" finds Ольга
--     and "故" finds 故障); the application ANDs the words of a query.
DO $$
BEGIN
  IF current_setting('server_encoding') <> 'UTF8' THEN
    RAISE EXCEPTION 'ticket search needs a database with UTF8 encoding (this one is %)', current_setting('server_encoding');
  END IF;
  BEGIN
    CREATE COLLATION search_fold (provider = icu, locale = 'und');
  EXCEPTION WHEN OTHERS THEN
    BEGIN
      CREATE COLLATION search_fold (provider = builtin, locale = 'C.UTF-8');
    EXCEPTION WHEN OTHERS THEN
      BEGIN
        CREATE COLLATION search_fold (provider = libc, locale = 'C.UTF-8');
      EXCEPTION WHEN OTHERS THEN
        RAISE EXCEPTION 'ticket search needs ICU, PostgreSQL 17+ or the C.UTF-8 locale for case folding';
      END;
    END;
  END;
END $$;

-- Kana, CJK ideographs (with 々〆〇 and the extension planes) and Hangul syllables: scripts written without spaces.
CREATE FUNCTION search_cjk_bigrams(s text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE WHEN s ~ '[\u3005-\u3007\u3040-\u30FA\u30FC-\u30FF\u31F0-\u31FF\u3400-\u4DBF\u4E00-\u9FFF\uAC00-\uD7AF\uF900-\uFAFF\U00020000-\U0003134F]'
  THEN regexp_replace(regexp_replace(regexp_replace(regexp_replace(s,
    -- a space around each run
    '([\u3005-\u3007\u3040-\u30FA\u30FC-\u30FF\u31F0-\u31FF\u3400-\u4DBF\u4E00-\u9FFF\uAC00-\uD7AF\uF900-\uFAFF\U00020000-\U0003134F]+)', ' \1 ', 'g'),
    -- every inner character twice (ABCD -> ABBCCD) ...
    '(?<=[\u3005-\u3007\u3040-\u30FA\u30FC-\u30FF\u31F0-\u31FF\u3400-\u4DBF\u4E00-\u9FFF\uAC00-\uD7AF\uF900-\uFAFF\U00020000-\U0003134F])([\u3005-\u3007\u3040-\u30FA\u30FC-\u30FF\u31F0-\u31FF\u3400-\u4DBF\u4E00-\u9FFF\uAC00-\uD7AF\uF900-\uFAFF\U00020000-\U0003134F])(?=[\u3005-\u3007\u3040-\u30FA\u30FC-\u30FF\u31F0-\u31FF\u3400-\u4DBF\u4E00-\u9FFF\uAC00-\uD7AF\uF900-\uFAFF\U00020000-\U0003134F])', '\1\1', 'g'),
    -- ... the last one of a longer run again on its own (ABBCCD D) ...
    '(?<=[\u3005-\u3007\u3040-\u30FA\u30FC-\u30FF\u31F0-\u31FF\u3400-\u4DBF\u4E00-\u9FFF\uAC00-\uD7AF\uF900-\uFAFF\U00020000-\U0003134F])([\u3005-\u3007\u3040-\u30FA\u30FC-\u30FF\u31F0-\u31FF\u3400-\u4DBF\u4E00-\u9FFF\uAC00-\uD7AF\uF900-\uFAFF\U00020000-\U0003134F]) ', '\1 \1 ', 'g'),
    -- ... and pairs cut apart (AB BC CD D)
    '([\u3005-\u3007\u3040-\u30FA\u30FC-\u30FF\u31F0-\u31FF\u3400-\u4DBF\u4E00-\u9FFF\uAC00-\uD7AF\uF900-\uFAFF\U00020000-\U0003134F])([\u3005-\u3007\u3040-\u30FA\u30FC-\u30FF\u31F0-\u31FF\u3400-\u4DBF\u4E00-\u9FFF\uAC00-\uD7AF\uF900-\uFAFF\U00020000-\U0003134F])', '\1\2 ', 'g')
  ELSE s END;

CREATE FUNCTION search_text(t text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN search_cjk_bigrams(lower(regexp_replace(normalize(t, NFKC),
  -- Latin-1 punctuation and signs, general punctuation (dashes, quotes, ellipsis), currency, arrows and technical
  -- signs, box drawing and dingbats, CJK punctuation and brackets, the katakana middle dot, emoji.
  '[\u00A0-\u00BF\u00D7\u00F7\u2000-\u206F\u20A0-\u20CF\u2190-\u23FF\u2500-\u27BF\u3000-\u3004\u3008-\u3020\u3030\u303D-\u303F\u30FB\U0001F000-\U0001FAFF]',
  ' ', 'g') COLLATE search_fold));

CREATE FUNCTION search_vector(t text) RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN to_tsvector('simple'::regconfig, search_text(t));

CREATE FUNCTION search_query(word text) RETURNS tsquery LANGUAGE sql IMMUTABLE PARALLEL SAFE
BEGIN ATOMIC
  SELECT nullif(string_agg(
           CASE WHEN x.prev IS NULL THEN '' ELSE ' <' || (x.pos - x.prev) || '> ' END
             || '''' || replace(replace(x.lexeme, '\', '\\'), '''', '''''') || ''''
             -- a prefix, except for a lone letter or digit, which would match half the dictionary
             || CASE WHEN x.pos = x.last AND (char_length(x.lexeme) > 1 OR search_cjk_bigrams(x.lexeme) <> x.lexeme) THEN ':*' ELSE '' END,
           '' ORDER BY x.pos), '')::tsquery
  FROM (
    SELECT e.lexeme, e.pos, lag(e.pos) OVER (ORDER BY e.pos) AS prev, max(e.pos) OVER () AS last
    FROM (SELECT u.lexeme, p.pos FROM unnest(search_vector(word)) u, unnest(u.positions) p(pos)) e
  ) x;
END;

ALTER TABLE "tickets" ADD COLUMN "search_doc" tsvector GENERATED ALWAYS AS (search_vector("subject")) STORED;
ALTER TABLE "comments" ADD COLUMN "search_doc" tsvector GENERATED ALWAYS AS (search_vector("body")) STORED;
ALTER TABLE "users" ADD COLUMN "search_doc" tsvector GENERATED ALWAYS AS (search_vector("name" || ' ' || "email" || ' ' || replace("email", '@', ' '))) STORED;
ALTER TABLE "organizations" ADD COLUMN "search_doc" tsvector GENERATED ALWAYS AS (search_vector("name")) STORED;
CREATE INDEX "tickets_search_doc_idx" ON "tickets" USING gin ("search_doc");
CREATE INDEX "comments_search_doc_idx" ON "comments" USING gin ("search_doc");
CREATE INDEX "users_search_doc_idx" ON "users" USING gin ("search_doc");
CREATE INDEX "organizations_search_doc_idx" ON "organizations" USING gin ("search_doc");

-- The requester search's prefix indexes, folded the same way (a C cluster's lower() leaves Ольга as it is).
DROP INDEX "users_name_prefix_idx";
CREATE INDEX "users_name_prefix_idx" ON "users"(lower("name" COLLATE search_fold) text_pattern_ops);
DROP INDEX "organizations_name_prefix_idx";
CREATE INDEX "organizations_name_prefix_idx" ON "organizations"(lower("name" COLLATE search_fold) text_pattern_ops);
