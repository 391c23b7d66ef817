window.__THAR_CONFIG = {
  "userInfo" : { "accountId" : "4400", "userName" : "springfieldcity", "displayName" : "Springfield City" },
  "archiveInfo" : { "sizeBytes" : "1200", "generationDate" : "2026-03-03T08:00:00.000Z", "isPartialArchive" : false }
}
