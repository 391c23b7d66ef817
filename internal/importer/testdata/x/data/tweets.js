window.YTD.tweets.part0 = [
  {
    "tweet" : {
      "edit_info" : {
        "initial" : {
          "editTweetIds" : [ "1896000000000000001" ],
          "editableUntil" : "2026-03-02T10:30:00.000Z",
          "editsRemaining" : "5",
          "isEditEligible" : true
        }
      },
      "retweeted" : false,
      "source" : "<a href=\"https://steward.city\" rel=\"nofollow\">Steward</a>",
      "entities" : { "hashtags" : [ ], "symbols" : [ ], "user_mentions" : [ ], "urls" : [ ] },
      "display_text_range" : [ "0", "58" ],
      "favorite_count" : "4",
      "id_str" : "1896000000000000001",
      "truncated" : false,
      "retweet_count" : "1",
      "id" : "1896000000000000001",
      "created_at" : "Mon Mar 02 09:30:00 +0000 2026",
      "favorited" : false,
      "full_text" : "Snow emergency: park on the odd side of the street tonight.",
      "lang" : "en",
      "extended_entities" : {
        "media" : [ {
          "media_url_https" : "https://pbs.twimg.com/media/GabcPlow.jpg",
          "id_str" : "1896000000000000900",
          "type" : "photo"
        } ]
      }
    }
  },
  {
    "tweet" : {
      "edit_info" : { "initial" : { "editTweetIds" : [ "1896000000000000020" ], "editableUntil" : "2026-03-02T11:00:00.000Z", "editsRemaining" : "5", "isEditEligible" : false } },
      "source" : "<a href=\"https://mobile.twitter.com\" rel=\"nofollow\">Twitter Web App</a>",
      "in_reply_to_status_id_str" : "1896000000000000010",
      "in_reply_to_user_id_str" : "5501",
      "in_reply_to_screen_name" : "anaruiz",
      "id_str" : "1896000000000000020",
      "created_at" : "Mon Mar 02 10:00:00 +0000 2026",
      "full_text" : "@anaruiz Odd numbers: the north side of Elm.",
      "lang" : "en"
    }
  },
  {
    "tweet" : {
      "source" : "<a href=\"https://mobile.twitter.com\" rel=\"nofollow\">Twitter Web App</a>",
      "id_str" : "1890000000000000000",
      "created_at" : "Tue Feb 10 16:00:00 +0000 2026",
      "full_text" : "Budget hearing on March 12. Café Rotunda, 7 pm.",
      "lang" : "en"
    }
  }
]
